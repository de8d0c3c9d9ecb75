/**
 * Request and reply over a child process's IPC channel. The transport benchmark drives its
 * server process and its client processes step by step (connect, measure, broadcast, …), so each
 * step is a call that resolves with the child's answer. Every call is bounded in time, and a
 * child whose parent goes away exits: nothing outlives the benchmark.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { NODE_FLAGS, ROOT } from '../lib.js';

interface Request {
  readonly id: number;
  readonly cmd: string;
  readonly arg: unknown;
}

type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** The child's first message: its handlers are installed, calls may start. */
const HELLO = 'rpc.hello';

/** A benchmark child process driven by calls. */
export interface RpcChild {
  readonly pid: number;
  /** Runs `cmd` in the child; rejects on the child's error, its exit, or after `timeoutMs`. */
  call<T>(cmd: string, arg?: unknown, timeoutMs?: number): Promise<T>;
  /** Kills the child (SIGKILL) and resolves once it is gone. */
  kill(): Promise<void>;
}

/** What a child answers to: one handler per command. */
export type Handlers = Readonly<Record<string, (arg: never) => unknown>>;

const DEFAULT_TIMEOUT_MS = 180_000;

/**
 * Starts `script` (relative to the repository root, or a compiled `.mjs`) with the benchmark flags
 * plus `extraFlags`, and resolves once it serves calls.
 *
 * @example
 * ```ts
 * const server = await spawnRpc('bench/support/server-process.ts', ['--kind=ws']);
 * const { url } = await server.call<{ url: string }>('address');
 * await server.kill();
 * ```
 */
export function spawnRpc(
  script: string,
  args: readonly string[],
  extraFlags: readonly string[] = [],
): Promise<RpcChild> {
  // A compiled script (bench/support/compile.ts) runs as plain JavaScript: no tsx, no `source` condition.
  const flags = script.endsWith('.mjs') ? ['--expose-gc'] : NODE_FLAGS;
  const child: ChildProcess = spawn(process.execPath, [...flags, ...extraFlags, script, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `${script} exited (${signal ?? String(code)})`;
      for (const p of pending.values()) p.reject(new Error(exited));
      pending.clear();
      resolve();
    }),
  );
  return new Promise<RpcChild>((resolve, reject) => {
    child.once('error', reject);
    void gone.then(() => reject(new Error(exited)));
    child.on('message', (message: Reply | typeof HELLO) => {
      if (message === HELLO) {
        resolve(rpcChild());
        return;
      }
      const p = pending.get(message.id);
      if (p === undefined) return;
      pending.delete(message.id);
      if (message.ok) p.resolve(message.value);
      else p.reject(new Error(`${script}: ${message.error}`));
    });
  });

  function rpcChild(): RpcChild {
    return {
      pid: child.pid ?? -1,
      call<T>(cmd: string, arg?: unknown, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
        if (exited !== undefined) return Promise.reject(new Error(exited));
        const id = nextId++;
        return new Promise<T>((resolve, reject) => {
          const timer = setTimeout(() => {
            pending.delete(id);
            reject(new Error(`${script}: ${cmd} took more than ${timeoutMs} ms`));
          }, timeoutMs);
          pending.set(id, {
            resolve: (v) => {
              clearTimeout(timer);
              resolve(v as T);
            },
            reject: (e) => {
              clearTimeout(timer);
              reject(e);
            },
          });
          child.send({ id, cmd, arg } satisfies Request);
        });
      },
      kill() {
        if (exited === undefined) child.kill('SIGKILL');
        return gone;
      },
    };
  }
}

/**
 * Child side: answers the parent's calls with `handlers`, then says hello. The process exits
 * when its parent disconnects (the parent died or killed the run).
 *
 * @example
 * ```ts
 * serveRpc({ address: () => ({ url }), count: () => received });
 * ```
 */
export function serveRpc(handlers: Handlers): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('serveRpc: not started with an IPC channel (use spawnRpc)');
  process.on('message', (request: Request) => {
    const handler = handlers[request.cmd] as ((arg: unknown) => unknown) | undefined;
    const reply = (r: Reply): void => void send(r);
    if (handler === undefined)
      return reply({ id: request.id, ok: false, error: `no command ${request.cmd}` });
    Promise.resolve()
      .then(() => handler(request.arg))
      .then(
        (value) => reply({ id: request.id, ok: true, value }),
        (err: unknown) =>
          reply({
            id: request.id,
            ok: false,
            error: err instanceof Error ? (err.stack ?? err.message) : String(err),
          }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  send(HELLO);
}
