/**
 * What a channel process needs from its channel manager: the session store, the takeover
 * timeout, and two notifications (it disconnected; a hook fired). The channel machine receives
 * it as input, so the machine can be tested with a stub host.
 */
import type { Pid, Tracer } from '@switchboard/runtime';
import type { HookName } from './hooks.js';
import type { SessionStore } from './session.js';

/** The manager as a channel process sees it. */
export interface ChannelHost {
  readonly sessions: SessionStore;
  /** T_TAKEOVER: a channel that answered takeover begin dies after 2 × this if end never comes. */
  readonly takeoverMs: number;
  /** EMQX's `ensure_disconnected`: removes `pid` from the live table (idempotent) and fires `client.disconnected`. */
  markDisconnected(clientId: string, pid: Pid, reason: string): void;
  /** Fires a hook for this channel. */
  hook(name: HookName, clientId: string, pid: Pid, reason?: string): void;
  /** Where the channel records its `ch.*` trace points (the runtime's tracer); none: not traced. */
  readonly trace?: Tracer | undefined;
}
