import type { BigQuery } from '@google-cloud/bigquery';
import {
  STATION_INFORMATION_EVENT_TYPE,
  STATION_STATUS_EVENT_TYPE,
  normalizeTimestamp,
  stationInformationTable,
  stationStatusRawTable,
  type EventType,
} from '../../core/index.js';

/**
 * The snapshots already in the warehouse, by event type and feed time (`event_ts`): status
 * snapshots in the raw table (one row per snapshot), station information in the table its writer
 * fills (there is no raw table for it; one row per station, so a snapshot is its distinct event_ts).
 */
export interface LandedSnapshots {
  has(eventType: EventType, eventTs: string): boolean;
  readonly count: number;
}

const tableRef = (t: { datasetId: string; tableId: string }) => `\`${t.datasetId}.${t.tableId}\``;

/** One query for both tables: a replay asks once, not once per file. */
export const LANDED_SNAPSHOTS_SQL = `SELECT event_type, event_ts FROM ${tableRef(stationStatusRawTable)}
WHERE event_type = '${STATION_STATUS_EVENT_TYPE}' AND event_ts IS NOT NULL
GROUP BY event_type, event_ts
UNION ALL
SELECT '${STATION_INFORMATION_EVENT_TYPE}' AS event_type, event_ts FROM ${tableRef(stationInformationTable)}
WHERE event_ts IS NOT NULL
GROUP BY event_ts`;

const keyOf = (eventType: string, eventTs: string) => `${eventType} ${eventTs}`;

/** A TIMESTAMP cell (the client's BigQueryTimestamp, or text) as the envelope writes it. */
function timestampText(cell: unknown): string | null {
  const text =
    typeof cell === 'object' && cell !== null && 'value' in cell
      ? String((cell as { value: unknown }).value)
      : typeof cell === 'string'
        ? cell
        : null;
  return text === null ? null : normalizeTimestamp(text);
}

/** Reads the landed snapshots with the official client (BIGQUERY_EMULATOR_HOST locally). */
export async function landedSnapshots(bigquery: BigQuery): Promise<LandedSnapshots> {
  let rows: { event_type: string; event_ts: unknown }[];
  try {
    [rows] = await bigquery.query(LANDED_SNAPSHOTS_SQL);
  } catch (error) {
    throw new Error(
      `could not read which snapshots already landed (is the warehouse reconciled? pmp reconcile): ${(error as Error).message}`,
    );
  }
  const keys = new Set<string>();
  for (const row of rows) {
    const eventTs = timestampText(row.event_ts);
    if (eventTs !== null) keys.add(keyOf(row.event_type, eventTs));
  }
  return {
    has: (eventType, eventTs) => {
      const normalized = normalizeTimestamp(eventTs);
      return normalized !== null && keys.has(keyOf(eventType, normalized));
    },
    count: keys.size,
  };
}
