/**
 * Registry tables: the channel manager's tables (first rows, counts of all), its process monitor
 * size, and every anomaly the server found, in red at the top because they mean a bug.
 */
import type { ComponentChildren } from 'preact';
import type { TableAnomaly, TablesMessage } from '../../src/feed-protocol.js';
import type { FeedStore } from '../feed-store.js';
import { useFeedStore } from '../feed-store.js';
import { PendingView } from './pending-view.js';
import { formatMs } from '../format.js';
import { Metric } from '../metric.js';
import { actorHref } from '../route.js';

function describeAnomaly(anomaly: TableAnomaly): ComponentChildren {
  switch (anomaly.kind) {
    case 'dead-pid':
      return (
        <>
          dead pid <Pid pid={anomaly.pid} /> in table <b>{anomaly.table}</b>
          {anomaly.clientId !== undefined && (
            <>
              {' '}
              for client <span class="mono">{anomaly.clientId}</span>
            </>
          )}
        </>
      );
    case 'two-live-owners':
      return (
        <>
          client <span class="mono">{anomaly.clientId}</span> has two live owners:{' '}
          {anomaly.pids.map((pid) => (
            <Pid key={pid} pid={pid} />
          ))}
        </>
      );
    case 'invariant':
      return <>invariant broken: {anomaly.message}</>;
  }
}

function Pid({ pid }: { readonly pid: string }) {
  return (
    <a class="mono pid" href={actorHref(pid)}>
      {pid}
    </a>
  );
}

interface TableSpec<TRow> {
  readonly name: 'channel' | 'conn' | 'info' | 'live' | 'locks';
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly TRow[];
  readonly rowKey: (row: TRow) => string;
  readonly cells: (row: TRow) => readonly ComponentChildren[];
  readonly dead?: (row: TRow) => boolean;
}

function RegistryTable<TRow>({ spec, count }: { readonly spec: TableSpec<TRow>; readonly count: number }) {
  return (
    <div class="registry-table" data-table={spec.name} data-count={String(count)}>
      <h2>
        {spec.title}{' '}
        <span class="muted small">
          {count.toLocaleString('en-US')} rows
          {count > spec.rows.length ? `, first ${spec.rows.length} shown` : ''}
        </span>
      </h2>
      <table class="grid-table">
        <thead>
          <tr>
            {spec.headers.map((header) => (
              <th key={header}>{header}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {spec.rows.map((row) => {
            const dead = spec.dead?.(row) ?? false;
            return (
              <tr
                key={spec.rowKey(row)}
                data-row={spec.rowKey(row)}
                data-alive={spec.dead ? String(!dead) : undefined}
                class={dead ? 'dead' : undefined}
              >
                {spec.cells(row).map((cell, index) => (
                  <td key={index}>{cell}</td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const alive = (alive: boolean) => (alive ? 'alive' : 'DEAD');

function tableSpecs(tables: TablesMessage) {
  return [
    {
      name: 'channel',
      title: 'channel (client id → channel pid)',
      headers: ['client id', 'pid', ''],
      rows: tables.channel,
      rowKey: (row) => `${row.clientId} ${row.pid}`,
      cells: (row) => [<span class="mono">{row.clientId}</span>, <Pid pid={row.pid} />, alive(row.alive)],
      dead: (row) => !row.alive,
    } satisfies TableSpec<TablesMessage['channel'][number]>,
    {
      name: 'conn',
      title: 'conn (connection pid → client id)',
      headers: ['pid', 'client id', 'transport', ''],
      rows: tables.conn,
      rowKey: (row) => `${row.pid} ${row.clientId}`,
      cells: (row) => [
        <Pid pid={row.pid} />,
        <span class="mono">{row.clientId}</span>,
        row.transport,
        alive(row.alive),
      ],
      dead: (row) => !row.alive,
    } satisfies TableSpec<TablesMessage['conn'][number]>,
    {
      name: 'info',
      title: 'info',
      headers: ['client id', 'pid', ''],
      rows: tables.info,
      rowKey: (row) => `${row.clientId} ${row.pid}`,
      cells: (row) => [<span class="mono">{row.clientId}</span>, <Pid pid={row.pid} />, alive(row.alive)],
      dead: (row) => !row.alive,
    } satisfies TableSpec<TablesMessage['info'][number]>,
    {
      name: 'live',
      title: 'live',
      headers: ['pid', 'client id', ''],
      rows: tables.live,
      rowKey: (row) => row.pid,
      cells: (row) => [
        <Pid pid={row.pid} />,
        <span class="mono">{row.clientId ?? ''}</span>,
        alive(row.alive),
      ],
      dead: (row) => !row.alive,
    } satisfies TableSpec<TablesMessage['live'][number]>,
    {
      name: 'locks',
      title: 'locks',
      headers: ['client id', 'owner', 'held'],
      rows: tables.locks,
      rowKey: (row) => row.clientId,
      cells: (row) => [
        <span class="mono">{row.clientId}</span>,
        <Pid pid={row.owner} />,
        formatMs(row.heldMs),
      ],
    } satisfies TableSpec<TablesMessage['locks'][number]>,
  ] as const;
}

export function TablesView({ store }: { readonly store: FeedStore }) {
  const { tables, hello } = useFeedStore(store);
  if (!tables) return <PendingView view="tables" title="Registry tables" hello={hello} />;
  const [channel, conn, info, live, locks] = tableSpecs(tables);
  return (
    <section data-view="tables" class="view">
      <h1>Registry tables</h1>
      {tables.anomalies.length > 0 && (
        <div class="anomalies" role="alert">
          <h2>
            {tables.anomalies.length} anomal{tables.anomalies.length === 1 ? 'y' : 'ies'}
          </h2>
          <ul>
            {tables.anomalies.map((anomaly, index) => (
              <li key={index} data-anomaly={anomaly.kind}>
                {describeAnomaly(anomaly)}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="metrics">
        {(['channel', 'conn', 'info', 'live', 'locks'] as const).map((name) => (
          <Metric key={name} name={`count-${name}`} label={name} value={tables.counts[name]} />
        ))}
        <Metric name="pmon" label="pmon (monitored pids)" value={tables.counts.pmon} />
      </div>
      <div class="tables-grid">
        <RegistryTable spec={channel} count={tables.counts.channel} />
        <RegistryTable spec={conn} count={tables.counts.conn} />
        <RegistryTable spec={info} count={tables.counts.info} />
        <RegistryTable spec={live} count={tables.counts.live} />
        <RegistryTable spec={locks} count={tables.counts.locks} />
      </div>
    </section>
  );
}
