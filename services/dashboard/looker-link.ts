/** The marts a Looker Studio report reads, one data source alias each (ds0, ds1, …), in order. */
export const LOOKER_MART_TABLES = [
  'velib_totals_hourly_paris',
  'velib_latest_state_enriched',
  'velib_totals_hourly',
  'velib_station_alerts',
  'velib_weekday_hour_profile',
  'velib_network_latest',
] as const;

export interface LookerLinkOptions {
  /** Project holding the marts (and billed for the report's queries). */
  readonly projectId: string;
  /** @default 'pmp_marts' */
  readonly datasetId?: string;
  /** Template report to copy; without it Looker Studio starts a blank report with the sources. */
  readonly reportId?: string;
  /** @default 'Paris Mobility Pulse' */
  readonly reportName?: string;
  /** @default LOOKER_MART_TABLES */
  readonly tables?: readonly string[];
}

const ID = /^[A-Za-z0-9_-]+$/;

/**
 * A Looker Studio Linking API URL (`/reporting/create`) with one BigQuery TABLE data source per mart
 * view, so a click opens the original's Looker report (or a blank one) wired to this project.
 * Parameters: c.reportId, r.reportName, ds.<alias>.connector/type/projectId/datasetId/tableId/
 * datasourceName (https://developers.google.com/looker-studio/integrate/linking-api).
 */
export function lookerStudioLink(options: LookerLinkOptions): string {
  const datasetId = options.datasetId ?? 'pmp_marts';
  const tables = options.tables ?? LOOKER_MART_TABLES;
  for (const [name, value] of [
    ['projectId', options.projectId],
    ['datasetId', datasetId],
    ...(options.reportId !== undefined ? [['reportId', options.reportId]] : []),
    ...tables.map((t) => ['table', t]),
  ] as [string, string][]) {
    if (!ID.test(value)) throw new TypeError(`${name}: "${value}" is not a valid identifier`);
  }
  if (tables.length === 0) throw new TypeError('tables: at least one mart is needed');
  const params = new URLSearchParams();
  if (options.reportId) params.set('c.reportId', options.reportId);
  params.set('r.reportName', options.reportName ?? 'Paris Mobility Pulse');
  tables.forEach((table, i) => {
    const alias = `ds.ds${i}`;
    params.set(`${alias}.connector`, 'bigQuery');
    params.set(`${alias}.type`, 'TABLE');
    params.set(`${alias}.projectId`, options.projectId);
    params.set(`${alias}.datasetId`, datasetId);
    params.set(`${alias}.tableId`, table);
    params.set(`${alias}.datasourceName`, `${datasetId}.${table}`);
  });
  return `https://lookerstudio.google.com/reporting/create?${params.toString()}`;
}
