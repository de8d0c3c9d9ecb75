/**
 * The supervision tree, from each process's parent: roots are processes without a (living)
 * supervisor, supervisors first. A node lists its first `maxChildren` children and how many it
 * has, so a connection supervisor with 100,000 children is one bounded message.
 */
import type { Pid, Runtime } from '@switchboard/runtime';
import { stateLabel } from './chart-definition.js';
import type { TreeMessage, TreeNode } from './feed-protocol.js';

interface Entry {
  readonly pid: Pid;
  readonly name: string | undefined;
  readonly state: string;
  readonly supervisor: boolean;
  readonly children: Entry[];
}

export function buildTree(runtime: Runtime, maxChildren: number): TreeMessage {
  const entries = new Map<string, Entry>();
  const parents = new Map<string, string>();
  for (const pid of runtime.processes()) {
    const info = runtime.processInfo(pid);
    if (!info) continue;
    const snapshot = runtime.processSnapshot(pid) as { children?: unknown; machine?: unknown } | undefined;
    entries.set(String(pid), {
      pid,
      name: info.name,
      state: stateLabel(info.state),
      // The runtime's supervisors keep their children in an array on a plain (non-machine) snapshot.
      supervisor: Array.isArray(snapshot?.children) && snapshot.machine === undefined,
      children: [],
    });
    if (info.parent) parents.set(String(pid), String(info.parent));
  }
  const roots: Entry[] = [];
  for (const [id, entry] of entries) {
    const parent = parents.get(id);
    const owner = parent === undefined ? undefined : entries.get(parent);
    if (owner) owner.children.push(entry);
    else roots.push(entry);
  }
  roots.sort((a, b) => Number(b.supervisor) - Number(a.supervisor) || a.pid.id - b.pid.id);
  return {
    t: 'tree',
    roots: roots.slice(0, maxChildren).map((r) => toNode(r, maxChildren)),
    rootCount: roots.length,
  };
}

function toNode(entry: Entry, maxChildren: number): TreeNode {
  return {
    id: String(entry.pid),
    ...(entry.name !== undefined ? { name: entry.name } : {}),
    kind: entry.supervisor || entry.children.length > 0 ? 'supervisor' : 'worker',
    state: entry.state,
    childCount: entry.children.length,
    children: entry.children.slice(0, maxChildren).map((c) => toNode(c, maxChildren)),
  };
}
