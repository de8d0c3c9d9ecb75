/**
 * The registry tables view: the channel manager's channel, conn, info and live tables, the held
 * locks and the pmon size, with anomalies found on every build: a row whose pid is dead (normal
 * for a moment after a death, until the DOWN batch is cleaned; a row that stays is a leak), two
 * live pids for one client id, and any broken structural invariant of the tables.
 */
import type { ChannelManager } from '@switchboard/channels';
import type { Pid, Runtime } from '@switchboard/runtime';
import type { TableAnomaly, TablesMessage } from './feed-protocol.js';

export async function buildTables(
  runtime: Runtime,
  channels: ChannelManager,
  maxRows: number,
): Promise<TablesMessage> {
  const snapshot = channels.tables.snapshot();
  const alive = (pid: Pid) => runtime.isAlive(pid);
  const anomalies: TableAnomaly[] = [];
  const dead = (table: 'channel' | 'conn' | 'info' | 'live', pid: Pid, clientId: string | undefined) => {
    anomalies.push({
      kind: 'dead-pid',
      table,
      pid: String(pid),
      ...(clientId !== undefined ? { clientId } : {}),
    });
  };

  const channel = snapshot.channel.map(({ clientId, pid }) => {
    const ok = alive(pid);
    if (!ok) dead('channel', pid, clientId);
    return { clientId, pid: String(pid), alive: ok };
  });
  const conn = snapshot.conn.map(({ pid, clientId, transport }) => {
    const ok = alive(pid);
    if (!ok) dead('conn', pid, clientId);
    return { pid: String(pid), clientId, transport, alive: ok };
  });
  const info = snapshot.info.map(({ clientId, pid }) => {
    const ok = alive(pid);
    if (!ok) dead('info', pid, clientId);
    return { clientId, pid: String(pid), alive: ok };
  });
  const liveByClient = new Map<string, string[]>();
  const live = snapshot.live.map((pid) => {
    const ok = alive(pid);
    const clientId = channels.tables.connOf(pid)?.clientId;
    if (!ok) dead('live', pid, clientId);
    if (clientId !== undefined) {
      const owners = liveByClient.get(clientId) ?? [];
      owners.push(String(pid));
      liveByClient.set(clientId, owners);
    }
    return { pid: String(pid), alive: ok, ...(clientId !== undefined ? { clientId } : {}) };
  });
  for (const [clientId, pids] of liveByClient) {
    if (pids.length > 1) anomalies.push({ kind: 'two-live-owners', clientId, pids });
  }
  // Structural checks only: dead pids are reported above, per row.
  for (const message of channels.tables.invariants()) anomalies.push({ kind: 'invariant', message });

  const now = runtime.clock.now();
  const held = channels.locker.held();
  const locks = held
    .slice(0, maxRows)
    .map((l) => ({ clientId: l.clientId, owner: String(l.owner), heldMs: now - l.since }));
  const pmon = await pmonSize(runtime, channels);
  return {
    t: 'tables',
    counts: {
      channel: channel.length,
      conn: conn.length,
      info: info.length,
      live: live.length,
      locks: held.length,
      pmon,
    },
    channel: channel.slice(0, maxRows),
    conn: conn.slice(0, maxRows),
    info: info.slice(0, maxRows),
    live: live.slice(0, maxRows),
    locks,
    anomalies,
  };
}

/** The manager process's pmon size, asked of the process itself (-1 if it does not answer). */
async function pmonSize(runtime: Runtime, channels: ChannelManager): Promise<number> {
  try {
    return await runtime.call<number>(channels.pid, { type: 'ch.pmon.size' }, { timeoutMs: 1000 });
  } catch {
    return -1;
  }
}
