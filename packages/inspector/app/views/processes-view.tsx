/**
 * Processes: one page of rows, sorted, filtered and paged by the server (there may be a million
 * processes; the page never holds more than one page). Every change of sort, filter or page sends a
 * new `processes` query; the server keeps sending that page about once a second.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ProcessRow, ProcessSortKey } from '../../src/feed-protocol.js';
import type { FeedClient, ProcessesQuery } from '../feed-client.js';
import type { FeedStore } from '../feed-store.js';
import { useFeedStore } from '../feed-store.js';
import { formatAge, formatCount, formatRate } from '../format.js';
import { Metric } from '../metric.js';
import { actorHref, navigateToActor } from '../route.js';

const PAGE_SIZE = 100;
const FILTER_DEBOUNCE_MS = 200;

interface Column {
  readonly label: string;
  /** Absent for columns the server cannot sort by. */
  readonly sort?: ProcessSortKey;
  readonly numeric?: boolean;
  readonly mono?: boolean;
  readonly cell: (row: ProcessRow) => string;
}

const COLUMNS: readonly Column[] = [
  { label: 'id', sort: 'pid', mono: true, cell: (row) => row.id },
  { label: 'name', cell: (row) => row.name ?? '' },
  { label: 'client id', sort: 'clientId', mono: true, cell: (row) => row.clientId ?? '' },
  { label: 'state', sort: 'state', mono: true, cell: (row) => row.state },
  { label: 'mailbox', sort: 'mailbox', numeric: true, cell: (row) => formatCount(row.mailbox) },
  { label: 'dropped', sort: 'dropped', numeric: true, cell: (row) => formatCount(row.dropped) },
  { label: 'rate /s', sort: 'rate', numeric: true, cell: (row) => formatRate(row.rate) },
  { label: 'age', sort: 'age', numeric: true, cell: (row) => formatAge(row.age) },
  { label: 'machine', mono: true, cell: (row) => row.machine ?? '' },
];

/** Kept across visits so coming back from an actor's detail lands on the same page. */
let rememberedQuery: ProcessesQuery = { sort: 'pid', dir: 'asc', filter: '', offset: 0, limit: PAGE_SIZE };

export function ProcessesView({ store, client }: { readonly store: FeedStore; readonly client: FeedClient }) {
  const { processes } = useFeedStore(store);
  const [query, setQuery] = useState(rememberedQuery);
  const [filterText, setFilterText] = useState(rememberedQuery.filter);
  const debounce = useRef<ReturnType<typeof setTimeout>>();

  useEffect(() => {
    rememberedQuery = query;
    client.setProcessesQuery(query);
  }, [client, query]);
  // Leaving the view stops the processes pages.
  useEffect(() => () => client.setProcessesQuery(undefined), [client]);
  useEffect(() => () => clearTimeout(debounce.current), []);

  const onFilterInput = (value: string) => {
    setFilterText(value);
    clearTimeout(debounce.current);
    debounce.current = setTimeout(
      () => setQuery((q) => ({ ...q, filter: value, offset: 0 })),
      FILTER_DEBOUNCE_MS,
    );
  };
  const onSort = (sort: ProcessSortKey) =>
    setQuery((q) => ({
      ...q,
      sort,
      dir: q.sort === sort ? (q.dir === 'asc' ? 'desc' : 'asc') : 'asc',
      offset: 0,
    }));

  const matched = processes?.matched ?? 0;
  const offset = processes?.offset ?? query.offset;
  const rows = processes?.rows ?? [];
  const lastShown = Math.min(offset + rows.length, matched);

  return (
    <section data-view="processes" class="view">
      <h1>Processes</h1>
      <div class="toolbar">
        <input
          type="search"
          data-filter=""
          class="filter"
          placeholder="Filter by pid, name, client id or state (fuzzy)"
          value={filterText}
          onInput={(event) => onFilterInput(event.currentTarget.value)}
        />
        <div class="metrics inline">
          <Metric name="matched" label="Matched" value={matched} />
          <Metric name="total" label="Total" value={processes?.total ?? 0} />
        </div>
        <div class="pager">
          <button
            type="button"
            data-page="prev"
            disabled={query.offset === 0}
            onClick={() => setQuery((q) => ({ ...q, offset: Math.max(0, q.offset - PAGE_SIZE) }))}
          >
            ← Prev
          </button>
          <span class="muted">
            {matched === 0 ? '0' : `${formatCount(offset + 1)}–${formatCount(lastShown)}`} of{' '}
            {formatCount(matched)}
          </span>
          <button
            type="button"
            data-page="next"
            disabled={query.offset + PAGE_SIZE >= matched}
            onClick={() => setQuery((q) => ({ ...q, offset: q.offset + PAGE_SIZE }))}
          >
            Next →
          </button>
        </div>
      </div>
      <table class="grid-table processes">
        <thead>
          <tr>
            {COLUMNS.map((column) =>
              column.sort ? (
                <th
                  key={column.label}
                  data-sort={column.sort}
                  class={`sortable${column.numeric ? ' num' : ''}${query.sort === column.sort ? ' sorted' : ''}`}
                  aria-sort={
                    query.sort === column.sort ? (query.dir === 'asc' ? 'ascending' : 'descending') : 'none'
                  }
                  onClick={() => column.sort && onSort(column.sort)}
                >
                  {column.label}
                  {query.sort === column.sort ? (query.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                </th>
              ) : (
                <th key={column.label}>{column.label}</th>
              ),
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.id}
              data-id={row.id}
              data-client-id={row.clientId}
              data-state={row.state}
              class={`clickable status-${row.status}`}
              onClick={() => navigateToActor(row.id)}
            >
              {COLUMNS.map((column, index) => (
                <td key={column.label} class={column.numeric ? 'num' : column.mono ? 'mono' : undefined}>
                  {index === 0 ? (
                    <a href={actorHref(row.id)} class="mono">
                      {row.id}
                    </a>
                  ) : (
                    column.cell(row)
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {processes && rows.length === 0 && <p class="muted">No process matches.</p>}
      {!processes && <p class="muted">Waiting for the first page…</p>}
    </section>
  );
}
