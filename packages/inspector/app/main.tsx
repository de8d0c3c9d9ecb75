/**
 * The inspector page: a top bar (node name, feed status, navigation) and one view per hash route.
 * The feed client and store live for the page's lifetime; views only say what they show.
 */
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import type { ListView } from '../src/feed-protocol.js';
import { FeedClient } from './feed-client.js';
import { FeedStore, useFeedStore } from './feed-store.js';
import type { Route } from './route.js';
import { useRoute } from './route.js';
import { ActorView } from './views/actor-view.js';
import { DownsView } from './views/downs-view.js';
import { OverviewView } from './views/overview-view.js';
import { ProcessesView } from './views/processes-view.js';
import { TablesView } from './views/tables-view.js';
import { TreeView } from './views/tree-view.js';

const NAV: readonly { readonly view: ListView; readonly label: string }[] = [
  { view: 'overview', label: 'Overview' },
  { view: 'processes', label: 'Processes' },
  { view: 'tree', label: 'Supervision' },
  { view: 'tables', label: 'Registry' },
  { view: 'downs', label: 'DOWN batches' },
];

/** The list views a route needs; the actor view uses `open` instead. */
function viewsFor(route: Route): readonly ListView[] {
  return route.view === 'actor' ? [] : [route.view];
}

function App({ store, client }: { readonly store: FeedStore; readonly client: FeedClient }) {
  const route = useRoute();
  const state = useFeedStore(store);

  useEffect(() => client.setViews(viewsFor(route)), [client, route]);
  // Several inspectors open in tabs stay apart by node name.
  const node = state.hello?.node;
  useEffect(() => {
    document.title = node === undefined ? 'Switchboard inspector' : `${node} · Switchboard inspector`;
  }, [node]);

  return (
    <div class="app" data-feed-status={state.status}>
      <header class="topbar">
        <div class="brand">
          <span class="brand-name">Switchboard inspector</span>
          <span class="node" title="node name">
            {state.hello?.node ?? '…'}
          </span>
        </div>
        <nav class="nav">
          {NAV.map(({ view, label }) => (
            <a
              key={view}
              href={`#/${view}`}
              data-nav={view}
              class={route.view === view ? 'nav-link active' : 'nav-link'}
            >
              {label}
            </a>
          ))}
        </nav>
        <span class={`feed-status feed-${state.status}`} title="feed connection">
          <span class="dot" />
          {state.status}
        </span>
      </header>
      {state.fatal !== undefined && <div class="banner error">Feed refused: {state.fatal}</div>}
      {state.lastError !== undefined && <div class="banner warn">Server said: {state.lastError}</div>}
      <main class="content">
        <RouteView route={route} store={store} client={client} />
      </main>
    </div>
  );
}

function RouteView({
  route,
  store,
  client,
}: {
  readonly route: Route;
  readonly store: FeedStore;
  readonly client: FeedClient;
}) {
  switch (route.view) {
    case 'overview':
      return <OverviewView store={store} />;
    case 'processes':
      return <ProcessesView store={store} client={client} />;
    case 'tree':
      return <TreeView store={store} />;
    case 'tables':
      return <TablesView store={store} />;
    case 'downs':
      return <DownsView store={store} />;
    case 'actor':
      // Keyed by id so switching actors remounts (close the old one, open the new one).
      return <ActorView key={route.id} id={route.id} store={store} client={client} />;
  }
}

const store = new FeedStore();
const client = new FeedClient({
  onMessage: (message) => store.apply(message),
  onStatus: (status) => store.setStatus(status),
  onFatal: (reason) => store.setFatal(reason),
});
const root = document.getElementById('app');
if (root) {
  render(<App store={store} client={client} />, root);
  client.start();
}
