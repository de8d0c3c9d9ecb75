// Unit tests of reasonForExit: the DISCONNECT reason a client is sent when its connection process
// ends, for every exit reason the runtime can report (and every shutdown a channel gives itself).
import { describe, expect, it } from 'vitest';
import { REASON } from '@switchboard/protocol';
import type { ReasonCode } from '@switchboard/protocol';
import type { ChannelShutdown } from '@switchboard/channels';
import type { DownReason } from '@switchboard/runtime';
import { reasonForExit } from '../../src/server.js';

describe('reasonForExit', () => {
  it.each<[ChannelShutdown, ReasonCode]>([
    ['kicked', REASON.KICKED],
    ['discarded', REASON.DISCARDED],
    ['takenover', REASON.SESSION_TAKEN_OVER],
    ['takeover_timeout', REASON.SESSION_TAKEN_OVER],
    ['session_ended', REASON.SESSION_TAKEN_OVER],
    ['closed', REASON.SUCCESS],
    ['expired', REASON.SUCCESS],
  ])('{ shutdown: %s } → %i', (shutdown, reason) => {
    expect(reasonForExit({ shutdown })).toBe(reason);
  });

  it('any other { shutdown: x } is a normal end (SUCCESS)', () => {
    expect(reasonForExit({ shutdown: 'maintenance' })).toBe(REASON.SUCCESS);
    expect(reasonForExit({ shutdown: 42 })).toBe(REASON.SUCCESS);
    expect(reasonForExit({ shutdown: { nested: true } })).toBe(REASON.SUCCESS);
  });

  it('a crash ({ error }) is HANDLER_ERROR, whatever was thrown', () => {
    expect(reasonForExit({ error: new Error('handler bug') })).toBe(REASON.HANDLER_ERROR);
    expect(reasonForExit({ error: 'a string' })).toBe(REASON.HANDLER_ERROR);
    expect(reasonForExit({ error: undefined })).toBe(REASON.HANDLER_ERROR);
  });

  it("'shutdown' (the supervisor stopping its children) is SERVER_SHUTTING_DOWN", () => {
    expect(reasonForExit('shutdown')).toBe(REASON.SERVER_SHUTTING_DOWN);
  });

  it.each<DownReason>(['killed', 'normal', 'noproc'])('%s is UNSPECIFIED_ERROR', (reason) => {
    expect(reasonForExit(reason)).toBe(REASON.UNSPECIFIED_ERROR);
  });
});
