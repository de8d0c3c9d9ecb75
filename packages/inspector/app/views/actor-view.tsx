/**
 * One actor's detail: its state chart with the active states and last transitions lit up, and
 * beside it status, counters, the event timeline, its sanitised context and (when the server allows
 * it) Kick / Discard for its client id. Opening sends `open`; leaving sends `close`.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ActorEvent, ChartMessage } from '../../src/feed-protocol.js';
import type { FeedClient } from '../feed-client.js';
import type { FeedStore } from '../feed-store.js';
import { useFeedStore } from '../feed-store.js';
import { formatBytes, formatClock, formatCount } from '../format.js';
import { Metric } from '../metric.js';
import type { ElkShape } from '../statechart/elk-graph.js';
import { lastTakenEdges, MARKED_TRANSITIONS } from '../statechart/last-transitions.js';
import { layoutChart } from '../statechart/layout-client.js';
import { StatechartSvg } from '../statechart/statechart-svg.js';

/** The deepest of the active ids (`a`, `a.b`, `a.b.c` → `a.b.c`), for a compact "state after". */
function leafIds(stateIds: readonly string[]): string[] {
  return stateIds.filter((id) => !stateIds.some((other) => other.startsWith(id + '.')));
}

function useChartLayout(chart: ChartMessage | undefined): { layout?: ElkShape; error?: string } {
  const [result, setResult] = useState<{ machine: string; layout?: ElkShape; error?: string }>();
  useEffect(() => {
    if (!chart) return;
    let current = true;
    layoutChart(chart).then(
      (layout) => current && setResult({ machine: chart.machine, layout }),
      (error: unknown) => current && setResult({ machine: chart.machine, error: String(error) }),
    );
    return () => {
      current = false;
    };
  }, [chart]);
  if (!chart || result?.machine !== chart.machine) return {};
  return result;
}

function Timeline({ events }: { readonly events: readonly ActorEvent[] }) {
  const newestFirst = useMemo(() => [...events].reverse(), [events]);
  return (
    <ol class="timeline" data-events="">
      {newestFirst.map((event) => (
        <li
          key={event.seq}
          data-event={String(event.seq)}
          data-type={event.type}
          class={event.changed ? 'changed' : undefined}
        >
          <span class="time mono">{formatClock(event.at)}</span>
          <span class="event-type mono">{event.type}</span>
          {event.source !== undefined && <span class="event-source mono">from {event.source}</span>}
          <span class="event-state mono">→ {leafIds(event.stateIds).join(', ')}</span>
        </li>
      ))}
      {events.length === 0 && <li class="muted">No events yet.</li>}
    </ol>
  );
}

function Commands({
  store,
  client,
  clientId,
}: {
  readonly store: FeedStore;
  readonly client: FeedClient;
  readonly clientId: string;
}) {
  const { commandResults } = useFeedStore(store);
  const [sent, setSent] = useState<{ requestId: number; command: 'kick' | 'discard' }>();
  const result = sent ? commandResults.get(sent.requestId) : undefined;
  const send = (command: 'kick' | 'discard') =>
    setSent({ requestId: client.command(command, clientId), command });
  return (
    <div class="commands">
      <button
        type="button"
        class="danger"
        data-command="kick"
        onClick={() => send('kick')}
        title="Disconnect the client (it may reconnect)"
      >
        Kick
      </button>
      <button
        type="button"
        class="danger"
        data-command="discard"
        onClick={() => send('discard')}
        title="Kick and drop its session"
      >
        Discard
      </button>
      {sent && (
        <span
          class={result ? (result.ok ? 'command-result ok' : 'command-result failed') : 'command-result'}
          data-command-result={result ? (result.ok ? 'ok' : 'error') : 'pending'}
        >
          {sent.command}:{' '}
          {result
            ? result.ok
              ? 'done'
              : `${result.error?.code ?? 'failed'} ${result.error?.message ?? ''}`
            : 'sent…'}
        </span>
      )}
    </div>
  );
}

export function ActorView({
  id,
  store,
  client,
}: {
  readonly id: string;
  readonly store: FeedStore;
  readonly client: FeedClient;
}) {
  const state = useFeedStore(store);
  useEffect(() => {
    store.openActor(id);
    client.open(id);
    return () => {
      client.close(id);
      store.closeActor();
    };
  }, [id, store, client]);

  const actor = state.actor?.id === id ? state.actor : undefined;
  const snapshot = actor?.snapshot;
  const events = actor?.events;
  const chart = snapshot?.machine !== undefined ? state.charts.get(snapshot.machine) : undefined;
  const { layout, error } = useChartLayout(chart);
  const activeIds = useMemo(() => new Set(snapshot?.stateIds ?? []), [snapshot?.stateIds]);
  const baseStateIds = actor?.baseStateIds;
  const lastEdges = useMemo(
    () => (chart && events ? lastTakenEdges(chart, events, baseStateIds) : new Set<string>()),
    [chart, events, baseStateIds],
  );

  // A stopped actor has nothing left to kick: its client id may already belong to a newer connection.
  const allowCommands =
    state.hello?.allowCommands === true && snapshot?.clientId !== undefined && snapshot.status !== 'stopped';
  return (
    <section
      data-view="actor"
      data-id={id}
      data-status={snapshot?.status}
      data-exit-reason={snapshot?.exitReason}
      data-unknown={actor?.unknown ? 'true' : undefined}
      class="view actor-view"
    >
      <h1>
        <span class="mono">{id}</span>
        {snapshot && (
          <span class={`status-pill status-${snapshot.status}`}>
            {snapshot.status}
            {snapshot.exitReason !== undefined ? `: ${snapshot.exitReason}` : ''}
          </span>
        )}
      </h1>
      {actor?.unknown && !snapshot && (
        <p class="banner warn">No actor with this id (it may have ended before the inspector saw it).</p>
      )}
      {!snapshot && !actor?.unknown && <p class="muted">Waiting for the actor…</p>}
      {snapshot && (
        <div class="actor-layout">
          <div class="chart-pane">
            {snapshot.machine === undefined ? (
              <p class="muted">This actor does not run a state machine: no chart.</p>
            ) : chart ? (
              <div class="chart-scroll">
                <StatechartSvg
                  chart={chart}
                  layout={layout}
                  layoutError={error}
                  activeIds={activeIds}
                  lastEdges={lastEdges}
                />
                <div class="chart-legend">
                  <span>
                    <span class="key-swatch active-swatch" /> active
                  </span>
                  <span>
                    <span class="key-swatch last-swatch" /> last {MARKED_TRANSITIONS} transitions
                  </span>
                  <span>● initial</span>
                  <span>
                    <span class="key-swatch final-swatch" /> final
                  </span>
                </div>
              </div>
            ) : (
              <p class="muted">Waiting for the chart of {snapshot.machine}…</p>
            )}
            <h2>Context</h2>
            <pre data-context="" class="context">
              {JSON.stringify(snapshot.context, null, 2) ?? 'undefined'}
            </pre>
          </div>
          <aside class="side-pane">
            <dl class="facts">
              <dt>status</dt>
              <dd>
                <span class={`status-pill status-${snapshot.status}`}>{snapshot.status}</span>
                {snapshot.exitReason !== undefined && <span class="mono"> {snapshot.exitReason}</span>}
              </dd>
              <dt>state</dt>
              <dd class="mono">{snapshot.state}</dd>
              <dt>kind</dt>
              <dd>{snapshot.kind}</dd>
              {snapshot.machine !== undefined && (
                <>
                  <dt>machine</dt>
                  <dd class="mono">{snapshot.machine}</dd>
                </>
              )}
              <dt>client id</dt>
              <dd class="mono">{snapshot.clientId ?? '–'}</dd>
            </dl>
            <div class="metrics">
              <Metric name="mailbox" label="Mailbox" value={snapshot.mailbox} />
              {snapshot.queue ? (
                <Metric
                  name="queue"
                  label="Outbound queue"
                  value={snapshot.queue.messages}
                  detail={`${formatBytes(snapshot.queue.bytes)}, ${formatCount(snapshot.queue.dropped)} dropped`}
                />
              ) : (
                <Metric
                  name="queue"
                  label="Outbound queue"
                  value={0}
                  display="–"
                  detail="no transport connection"
                />
              )}
            </div>
            {allowCommands && snapshot.clientId !== undefined && (
              <Commands store={store} client={client} clientId={snapshot.clientId} />
            )}
            <h2>Events</h2>
            <Timeline events={events ?? []} />
          </aside>
        </div>
      )}
    </section>
  );
}
