import type { EmulatorStatus } from '../pubsub-emulator/index.js';
import { assertReachable, clientsFor, resolveTarget } from './connect.js';
import { formatTable } from './format-table.js';
import type { ComponentState } from './state-file.js';

export interface StackStatus {
  readonly running: boolean;
  readonly simulatedTime: string | null;
  readonly components: readonly ComponentState[];
  readonly subscriptions: EmulatorStatus['subscriptions'];
  /**
   * `dataset.table` → rows; null for a materialized view (the emulator computes it when it is
   * read and keeps no row count to report).
   */
  readonly tables: Readonly<Record<string, number | null>>;
  readonly dlq: {
    readonly curated: number;
    readonly pushWriter: number;
    readonly stationInfoPush: number;
    /** Messages dead-lettered by subscriptions (the emulator's counter). */
    readonly deadLettered: number;
  };
  /** Age in seconds of the newest curated row's ingest_ts (null: no rows). */
  readonly freshnessSeconds: number | null;
  readonly newestCuratedIngestTs: string | null;
}

async function json<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

/** Everything `pmp status` shows, read through the emulators' APIs and the stack control endpoint. */
export async function collectStackStatus(
  options: { dataDir?: string; projectId?: string } = {},
): Promise<StackStatus> {
  const target = resolveTarget(options);
  await assertReachable(target);
  const { pubsub, bigquery } = clientsFor(target);
  try {
    const control = target.state
      ? await json<{ components: ComponentState[]; simulatedTime: string }>(
          `${target.state.controlUrl}/status`,
        ).catch(() => undefined)
      : undefined;
    const emulator = await json<EmulatorStatus>(`${target.pubsubAdminUrl}/status.json`).catch(
      () => ({ topics: [], subscriptions: [] }) as EmulatorStatus,
    );
    const tables: Record<string, number | null> = {};
    const [datasets] = await bigquery.getDatasets();
    for (const dataset of datasets) {
      const [list] = await dataset.getTables();
      for (const table of list) {
        if (table.metadata?.type === 'VIEW') continue;
        const [meta] = await table.getMetadata();
        if (meta.type === 'VIEW') continue;
        tables[`${dataset.id}.${table.id}`] =
          meta.type === 'MATERIALIZED_VIEW' ? null : Number(meta.numRows ?? 0);
      }
    }
    let newest: string | null = null;
    if ('pmp_curated.velib_station_status' in tables) {
      const [rows] = await bigquery.query(
        'SELECT MAX(ingest_ts) AS newest FROM pmp_curated.velib_station_status',
      );
      const value = (rows[0] as { newest?: { value: string } | null } | undefined)?.newest;
      newest = value ? value.value : null;
    }
    return {
      running: target.state !== undefined && control !== undefined,
      simulatedTime: control?.simulatedTime ?? null,
      components: control?.components ?? [],
      subscriptions: emulator.subscriptions,
      tables,
      dlq: {
        curated: tables['pmp_ops.velib_station_status_curated_dlq'] ?? 0,
        pushWriter: tables['pmp_ops.push_writer_dlq'] ?? 0,
        stationInfoPush: tables['pmp_ops.velib_station_info_push_dlq'] ?? 0,
        deadLettered: emulator.subscriptions.reduce((n, s) => n + s.deadLettered, 0),
      },
      freshnessSeconds: newest ? Math.max(0, (Date.now() - Date.parse(newest)) / 1000) : null,
      newestCuratedIngestTs: newest,
    };
  } finally {
    await pubsub.close();
  }
}

const age = (s: number | null) =>
  s === null ? 'no curated rows yet' : s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;

export function formatStackStatus(status: StackStatus): string {
  const parts: string[] = [];
  if (status.components.length > 0) {
    parts.push(
      formatTable(
        ['component', 'where', 'status', 'detail'],
        status.components.map((c) => [c.name, c.url ?? '—', c.status, c.detail ?? '']),
      ),
    );
  } else {
    parts.push('No `pmp start` is running for this data dir; showing the emulators only.');
  }
  parts.push(
    formatTable(
      ['subscription', 'kind', 'backlog', 'outstanding', 'oldest unacked', 'dead-lettered'],
      status.subscriptions.map((s) => [
        s.name.split('/').pop() ?? s.name,
        s.kind,
        String(s.backlog),
        String(s.outstanding),
        s.oldestUnackedAgeSeconds === null ? '—' : `${s.oldestUnackedAgeSeconds.toFixed(1)} s`,
        String(s.deadLettered),
      ]),
    ),
  );
  parts.push(formatTableRows(status.tables));
  parts.push(
    [
      `DLQ: curated ${status.dlq.curated}, push writers ${status.dlq.pushWriter}, station-info push ${status.dlq.stationInfoPush} (dead-lettered by subscriptions: ${status.dlq.deadLettered})`,
      `Freshness: newest curated row ingested ${age(status.freshnessSeconds)} ago${
        status.simulatedTime ? `; simulated time ${status.simulatedTime}` : ''
      }`,
    ].join('\n'),
  );
  return `${parts.join('\n\n')}\n`;
}

/** The rows per table, as `pmp status` and `pmp replay` print them. */
export function formatTableRows(tables: StackStatus['tables']): string {
  return formatTable(
    ['table', 'rows'],
    Object.entries(tables)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([t, n]) => [
        t,
        n === null ? 'materialized view, computed when read' : n.toLocaleString('en-US'),
      ]),
  );
}
