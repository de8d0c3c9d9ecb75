/**
 * What a channel-manager view shows before its first update: why it is empty (no channel manager
 * attached to this inspector) or that the update is on its way.
 */
import type { HelloMessage } from '../../src/feed-protocol.js';

export function PendingView({
  view,
  title,
  hello,
}: {
  readonly view: string;
  readonly title: string;
  readonly hello: HelloMessage | undefined;
}) {
  return (
    <section data-view={view} class="view">
      <h1>{title}</h1>
      <p class="muted">
        {hello?.has.channels === false
          ? 'No channel manager is attached to this inspector.'
          : 'Waiting for the first update…'}
      </p>
    </section>
  );
}
