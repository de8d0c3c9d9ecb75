/**
 * `@switchboard/inspector`: a live view of a Switchboard runtime, served by the server itself —
 * processes, supervision tree, registry tables, DOWN batches, and each connection's state chart.
 */
export { attachInspector } from './attach-inspector.js';
export type { Inspector } from './attach-inspector.js';
export { createInspectorHandler } from './inspector-handler.js';
export type { CreateInspectorHandlerOptions, InspectorHandler } from './inspector-handler.js';
export { InspectorHub, intervalTicker } from './inspector-hub.js';
export type { HubOptions, Ticker } from './inspector-hub.js';
export type { FeedSink } from './feed-connection.js';
export { FeedConnection } from './feed-connection.js';
export type { FeedFormat } from './feed-codec.js';
export { DEFAULT_LIMITS } from './options.js';
export type { InspectorHandlerOptions, InspectorLimits, InspectorOptions, Sanitize } from './options.js';
export {
  AppNotBuilt,
  BadFeedMessage,
  CommandFailed,
  CommandsDisabled,
  InspectorListenFailed,
  InvalidInspectorOption,
  NoChannelManager,
} from './errors.js';
export { TOKEN_COOKIE } from './token.js';
export { FEED_VERSION } from './feed-protocol.js';
export type * from './feed-protocol.js';
