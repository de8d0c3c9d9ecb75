/**
 * The channel manager's error registry (`CH_ERR_*`), built on the runtime's `defineError`.
 * Every code is documented in `docs/reference/errors.md`.
 */
import { defineError } from '@switchboard/runtime';

/**
 * The client id is busy: its lock is held by another open, or a previous channel's cleanup is
 * still pending (EMQX's `client_id_unavailable`, CONNACK "server busy").
 */
export const ClientIdUnavailable = defineError(
  'CH_ERR_CLIENT_ID_UNAVAILABLE',
  Error,
  (clientId: string, why: string) => `client id ${clientId} is unavailable: ${why}`,
);
/** A client id must be a non-empty string of at most 65,535 UTF-16 units. */
export const InvalidClientId = defineError(
  'CH_ERR_INVALID_CLIENT_ID',
  TypeError,
  (detail: string) => `invalid client id: ${detail}`,
);
/** An option of the channel manager is out of range. */
export const InvalidChannelOption = defineError(
  'CH_ERR_INVALID_OPTION',
  TypeError,
  (detail: string) => detail,
);
/** The channel manager process is gone (closed or crashed). */
export const ManagerDown = defineError(
  'CH_ERR_MANAGER_DOWN',
  Error,
  () => 'the channel manager is not running',
);
/** A serialised session could not be decoded. */
export const BadSession = defineError(
  'CH_ERR_BAD_SESSION',
  TypeError,
  (detail: string) => `bad session: ${detail}`,
);
