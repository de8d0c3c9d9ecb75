/**
 * @switchboard/channels — the channel manager: a port of EMQX's `emqx_cm` on the Switchboard
 * runtime. Registry tables by client id, a per-client-id try-lock, open/takeover/discard/kick,
 * batched DOWN cleanup, stats and hooks; and the channel behaviour connection processes run.
 */
export { createChannelManager, checkClientId } from './channel-manager.js';
export type {
  ChannelManager,
  ChannelManagerOptions,
  ChannelTimeouts,
  DuplicateIdPolicy,
} from './channel-manager.js';
export type { OpenSessionRequest, OpenSessionResult } from './open-session.js';
export { ChannelTables } from './channel-tables.js';
export type { ChannelStats, ChannelTablesSnapshot, ConnRow, CountMax } from './channel-tables.js';
export { channelMachine } from './channel.machine.js';
export type {
  ChannelDeliver,
  ChannelEvent,
  ChannelInbound,
  ChannelInfo,
  ChannelInput,
  ChannelPort,
  ChannelOpened,
  ChannelReplies,
  ChannelRequest,
  ChannelShutdown,
  ChannelSocketClosed,
  ChannelStateName,
  TakeoverBeginReply,
  TakeoverEndReply,
} from './channel.machine.js';
export type { ChannelHost } from './channel-host.js';
export { HookEmitter } from './hooks.js';
export type { HookEvent, HookName, Hooks } from './hooks.js';
export type { LockInfo, Locker } from './locker.js';
export {
  DEFAULT_LOCK_LEASE_MS,
  createMemoryLocker,
  isLeaseExpired,
  leaseCheckIntervalMs,
  leaseKillWindow,
} from './memory-locker.js';
export type { LeaseCheckMessage, LockerMessage, MemoryLocker, MemoryLockerOptions } from './memory-locker.js';
export type { Registry } from './registry.js';
export { createMemoryRegistry } from './memory-registry.js';
export type { MemoryRegistry } from './memory-registry.js';
export type { ChannelMessage, ClientInfo, ConnInfo, SessionStore } from './session.js';
export { createMemorySessionStore } from './memory-session.js';
export type { MemorySession, MemorySessionStore, MemorySessionStoreOptions } from './memory-session.js';
export { requestStepdown } from './stepdown.js';
export type { StepdownAction, StepdownResult } from './stepdown.js';
export {
  BadSession,
  ClientIdUnavailable,
  InvalidChannelOption,
  InvalidClientId,
  ManagerDown,
} from './errors.js';
