/**
 * The transport's error registry (`TRANSPORT_ERR_*`), built on the runtime's `defineError`.
 * Every code is documented in `docs/reference/errors.md`.
 */
import { defineError } from '@switchboard/runtime';

/** An option of `createServer` is missing or out of range. */
export const InvalidServerOption = defineError(
  'TRANSPORT_ERR_INVALID_OPTION',
  TypeError,
  (detail: string) => detail,
);
/** A listener could not be started (port in use, bad address). */
export const ListenFailed = defineError(
  'TRANSPORT_ERR_LISTEN',
  Error,
  (what: string) => `cannot listen: ${what}`,
);
