/**
 * The inspector's error registry (`INSPECTOR_ERR_*`), built on the runtime's `defineError`.
 * Every code is documented in `docs/reference/errors.md`. Feed errors travel to the page as
 * `{ t: 'error', code, message }` or in a `commandResult`; the feed stays open.
 */
import { defineError } from '@switchboard/runtime';

/** An option of `attachInspector` / `createInspectorHandler` is missing or out of range. */
export const InvalidInspectorOption = defineError(
  'INSPECTOR_ERR_INVALID_OPTION',
  TypeError,
  (detail: string) => detail,
);
/** The browser bundle is not built (`npm run build:app -w @switchboard/inspector`). */
export const AppNotBuilt = defineError(
  'INSPECTOR_ERR_APP_NOT_BUILT',
  Error,
  (dir: string) =>
    `the inspector page is not built: ${dir} is missing (run \`npm run build:app -w @switchboard/inspector\`)`,
);
/** The inspector's HTTP server could not listen. */
export const InspectorListenFailed = defineError(
  'INSPECTOR_ERR_LISTEN',
  Error,
  (what: string) => `the inspector cannot listen: ${what}`,
);
/** A page sent a frame that is not a feed message (bad encoding, unknown type, bad fields, too large). */
export const BadFeedMessage = defineError(
  'INSPECTOR_ERR_BAD_MESSAGE',
  TypeError,
  (detail: string) => `bad feed message: ${detail}`,
);
/** A page asked for a command (kick, discard) while `allowCommands` is false. */
export const CommandsDisabled = defineError(
  'INSPECTOR_ERR_COMMANDS_DISABLED',
  Error,
  () => 'commands are disabled (attach the inspector with allowCommands: true)',
);
/** A command needs the channel manager, which was not attached. */
export const NoChannelManager = defineError(
  'INSPECTOR_ERR_NO_CHANNELS',
  Error,
  () => 'no channel manager is attached to the inspector',
);
/** A command failed in the channel manager. */
export const CommandFailed = defineError(
  'INSPECTOR_ERR_COMMAND_FAILED',
  Error,
  (command: string, clientId: string, cause: string) => `${command} ${clientId} failed: ${cause}`,
);
