/**
 * BigQuery insertId of a curated row: one per (message, station), so a redelivered message does not
 * duplicate its rows (best-effort dedup window of insertAll).
 */
export function curatedInsertId(messageId: string, stationId: string): string {
  return `${messageId}:${stationId}`;
}
