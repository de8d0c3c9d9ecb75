/**
 * `requestStepdown`: asking an old channel to kick, discard, or begin/end a takeover, with a
 * timeout — EMQX's `request_stepdown`, with the error classes of its current version (§B.3, §J.1):
 * a channel that is already gone (noproc, normal, shutdown, killed) is not an error and kills
 * nothing; a timeout or any other failure force-kills the stale process, because "keeping the
 * stale pid around ... benefits nobody".
 */
import { CallTimeout, CalleeExited, NoProc, formatReason, isOrderly } from '@switchboard/runtime';
import type { DownReason, Pid, Runtime } from '@switchboard/runtime';
import type { Logger } from 'pino';

/** What a channel is asked to do. */
export type StepdownAction = 'ch.kick' | 'ch.discard' | 'ch.takeover.begin' | 'ch.takeover.end';

/** How a stepdown request ended. */
export type StepdownResult =
  | { readonly kind: 'ok'; readonly value: unknown }
  /** The channel was already gone, or left in an orderly way without answering. Nothing was killed. */
  | { readonly kind: 'gone'; readonly reason: DownReason }
  /** No answer within the timeout: the channel was killed. */
  | { readonly kind: 'timeout' }
  /** It failed otherwise (crashed while answering): the channel was killed. */
  | { readonly kind: 'failed'; readonly error: unknown };

/**
 * Sends `action` to `pid` as a call and classifies the outcome; kills the channel on timeout or
 * unexpected failure. Never rejects.
 *
 * @example
 * ```ts
 * const r = await requestStepdown(rt, log, 'ch.kick', oldPid, 5000);
 * if (r.kind === 'timeout') log.warn('stale channel killed');
 * ```
 */
export async function requestStepdown(
  runtime: Runtime,
  log: Logger,
  action: StepdownAction,
  pid: Pid,
  timeoutMs: number,
): Promise<StepdownResult> {
  try {
    const value = await runtime.call(pid, { type: action }, { timeoutMs });
    return { kind: 'ok', value };
  } catch (err) {
    if (NoProc.is(err)) return { kind: 'gone', reason: 'noproc' };
    if (CalleeExited.is(err)) {
      const reason = (err as unknown as { reason: DownReason }).reason;
      if (isOrderly(reason) || reason === 'killed') return { kind: 'gone', reason };
      // It crashed before answering: it is dead already, the kill is a harmless no-op.
      log.error({ actor: String(pid), action, reason: formatReason(reason) }, 'stepdown target crashed');
      runtime.exit(pid, 'kill');
      return { kind: 'failed', error: err };
    }
    if (CallTimeout.is(err)) {
      const info = runtime.processInfo(pid);
      log.warn(
        { actor: String(pid), action, timeoutMs, state: info?.state, mailbox: info?.mailboxLength },
        'session_stepdown_request_timeout',
      );
      runtime.exit(pid, 'kill');
      return { kind: 'timeout' };
    }
    log.error({ actor: String(pid), action, err }, 'session_stepdown_request_exception');
    runtime.exit(pid, 'kill');
    return { kind: 'failed', error: err };
  }
}
