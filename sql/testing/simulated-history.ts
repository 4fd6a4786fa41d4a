import type { BigQuery } from '@google-cloud/bigquery';
import {
  buildEnvelope,
  informationSnapshotToRows,
  statusSnapshotToRows,
  type CuratedStatusRow,
  type StationInformationRow,
} from '../../core/index.js';
import { VelibModel, loadStationList, renderFeed } from '../../local/simulator/index.js';

export interface SimulatedHistoryOptions {
  /** Time of the first snapshot. */
  readonly start: Date;
  /** How many station_status snapshots. */
  readonly snapshots: number;
  /** Minutes between snapshots. @default 1 */
  readonly everyMinutes?: number;
  /** @default 7 */
  readonly seed?: number;
}

export interface SimulatedHistory {
  readonly status: CuratedStatusRow[];
  readonly information: StationInformationRow[];
  readonly stationCount: number;
}

/**
 * Curated rows as the pipeline would write them: the simulator renders Vélib-shaped documents,
 * core wraps each in the envelope a collector publishes and maps it to rows, exactly as the Beam
 * job and the station-info writer do. Collected 20 s after the feed time, like the real collector.
 */
export function simulatedHistory(options: SimulatedHistoryOptions): SimulatedHistory {
  const stations = loadStationList().stations;
  const model = new VelibModel({ stations, seed: options.seed ?? 7, start: options.start });
  const everyMs = (options.everyMinutes ?? 1) * 60_000;
  const collect = (name: 'station_status' | 'station_information', at: number) => {
    const document = JSON.parse(renderFeed(model, name, 'velib', 'http://simulator')!) as unknown;
    return buildEnvelope({
      document,
      source: 'velib',
      eventType:
        name === 'station_status' ? 'station_status_snapshot' : 'station_information_snapshot',
      ingestTs: new Date(at + 20_000),
    });
  };
  const startMs = options.start.getTime();
  const information = informationSnapshotToRows(collect('station_information', startMs));
  const status: CuratedStatusRow[] = [];
  for (let i = 0; i < options.snapshots; i++) {
    const at = startMs + i * everyMs;
    model.advanceTo(at);
    for (const row of statusSnapshotToRows(collect('station_status', at))) status.push(row);
  }
  return { status, information, stationCount: stations.length };
}

/** Inserts the history with insertAll in large batches, as the writers would (several calls). */
export async function insertHistory(
  bigquery: BigQuery,
  history: SimulatedHistory,
  batchRows = 20_000,
): Promise<void> {
  const curated = bigquery.dataset('pmp_curated');
  await curated.table('velib_station_information').insert(history.information);
  for (let i = 0; i < history.status.length; i += batchRows) {
    await curated.table('velib_station_status').insert(history.status.slice(i, i + batchRows));
  }
}
