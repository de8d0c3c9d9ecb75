/**
 * The race kit's error registry (`TK_ERR_*`), built on the runtime's `defineError`. Every code is
 * documented in `docs/reference/errors.md`.
 */
import { defineError } from '@switchboard/runtime';

/** A replay line (or scenario JSON) that is not a scenario. */
export const InvalidReplayLine = defineError(
  'TK_ERR_INVALID_REPLAY',
  TypeError,
  (detail: string) => `invalid replay line: ${detail}`,
);
/** An option of the race kit is out of range. */
export const InvalidKitOption = defineError('TK_ERR_INVALID_OPTION', TypeError, (detail: string) => detail);
/** A run replayed from its own scenario took different steps (its trace hash differs). */
export const ReplayNotExact = defineError(
  'TK_ERR_REPLAY_NOT_EXACT',
  Error,
  (first: string, again: string) => `the replay's trace hash ${again} differs from the run's ${first}`,
);
/** A race property failed: the message holds the shrunk scenario's replay line. */
export const RaceFound = defineError('TK_ERR_RACE_FOUND', Error, (report: string) => report);
