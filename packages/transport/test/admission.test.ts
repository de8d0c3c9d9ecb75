// maxConnections counts live connections. A resume (cleanStart false) of a client id that is live
// right now replaces that connection, so it is admitted at the limit; a resume of a session whose
// connection is gone adds one, so at the limit it is refused like any new client.
import { afterEach, describe, expect, it } from 'vitest';
import { REASON } from '@switchboard/protocol';
import { rawClient, until } from './support/raw-client.js';
import type { RawClient } from './support/raw-client.js';
import { serverWorld } from './support/server-world.js';
import type { ServerWorld } from './support/server-world.js';

let world: ServerWorld | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await world?.stop();
  world = undefined;
});
async function client(url: string) {
  const c = await rawClient(url);
  clients.push(c);
  return c;
}

describe('maxConnections and resumes', () => {
  it('refuses, at the limit, the resume of a session whose connection is gone', async () => {
    const w = (world = await serverWorld({ limits: { maxConnections: 2 } }));
    // Arrange: x leaves a session behind (no expiry), a and b fill the two places.
    const x = await client(w.tcpUrl);
    expect(await x.connect('x', { cleanStart: false, sessionExpiryMs: null })).toMatchObject({
      type: 'connack',
    });
    x.end();
    await x.closed;
    await until(() => w.cm.connectedClientCount() === 0, 5000, 'x disconnected');
    for (const id of ['a', 'b'])
      expect(await (await client(w.tcpUrl)).connect(id)).toMatchObject({ type: 'connack' });
    // Act: x comes back for its session.
    const back = await client(w.tcpUrl);
    const answer = await back.connect('x', { cleanStart: false, sessionExpiryMs: null });
    // Assert: a third live connection would pass the limit.
    expect(answer).toMatchObject({ type: 'disconnect', reason: REASON.SERVER_BUSY });
    expect(w.cm.connectedClientCount()).toBe(2);
  });

  it('admits, at the limit, the resume of a client id that is live (it replaces that connection)', async () => {
    const w = (world = await serverWorld({ limits: { maxConnections: 1 } }));
    const first = await client(w.tcpUrl);
    expect(await first.connect('x', { cleanStart: false })).toMatchObject({ type: 'connack' });
    const second = await client(w.tcpUrl);
    expect(await second.connect('x', { cleanStart: false })).toMatchObject({ type: 'connack' });
    expect(await first.next((f) => f.type === 'disconnect')).toMatchObject({
      reason: REASON.SESSION_TAKEN_OVER,
    });
    await until(() => w.cm.connectedClientCount() === 1, 5000, 'one live connection');
  });
});
