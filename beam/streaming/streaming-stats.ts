// What the local streaming runner counts, and how two runs of it add up (the stack restarts it).

export interface CuratedStreamingStats {
  readonly batches: number;
  readonly failedBatches: number;
  readonly messagesAcked: number;
  readonly messagesNacked: number;
  readonly rowsInserted: number;
  readonly dlqInserted: number;
  /** Rows BigQuery rejected (also counted in dlqInserted, as bq_insert_curated records). */
  readonly rowsRejected: number;
  readonly lastError: string | null;
}

/** The stats of a runner that has done nothing yet. */
export const NO_CURATED_STATS: CuratedStreamingStats = {
  batches: 0,
  failedBatches: 0,
  messagesAcked: 0,
  messagesNacked: 0,
  rowsInserted: 0,
  dlqInserted: 0,
  rowsRejected: 0,
  lastError: null,
};

/** The totals of two runs of the curated runner, one after the other. */
export function addCuratedStats(
  a: CuratedStreamingStats,
  b: CuratedStreamingStats,
): CuratedStreamingStats {
  return {
    batches: a.batches + b.batches,
    failedBatches: a.failedBatches + b.failedBatches,
    messagesAcked: a.messagesAcked + b.messagesAcked,
    messagesNacked: a.messagesNacked + b.messagesNacked,
    rowsInserted: a.rowsInserted + b.rowsInserted,
    dlqInserted: a.dlqInserted + b.dlqInserted,
    rowsRejected: a.rowsRejected + b.rowsRejected,
    lastError: b.lastError ?? a.lastError,
  };
}
/** The stats, as the runner keeps them while it counts. */
export type MutableStats = {
  -readonly [K in keyof CuratedStreamingStats]: CuratedStreamingStats[K];
};
