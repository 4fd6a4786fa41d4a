import type { Logger } from '../../runtime/logger.js';
import type { Database } from './storage/database.js';
import type { InsertIdLog } from './storage/insert-id-log.js';
import type { InsertIdCache } from './storage/insert-ids.js';
import type { MetadataStore } from './storage/metadata.js';
import type { RefreshMarks } from './storage/refresh-marks.js';
import type { ResultCache } from './storage/results.js';
import type { Translator } from './translator.js';

/** Everything the handlers share: storage, caches, the translator and settings. */
export interface EmulatorState {
  readonly db: Database;
  readonly meta: MetadataStore;
  readonly insertIds: InsertIdCache;
  /** The persisted copy of recent insertIds, with `--data-dir` only. */
  readonly insertIdLog: InsertIdLog | undefined;
  /** Materialized views' incremental-refresh marks, with `--data-dir` only. */
  readonly refreshMarks: RefreshMarks | undefined;
  readonly results: ResultCache;
  /** BigQuery SQL → DuckDB SQL (`./sql/` unless a test hands in another). */
  readonly translator: Translator;
  readonly log: Logger;
  /** Location reported on datasets, tables and jobs. */
  readonly location: string;
  /** Clock, injectable for tests of time windows. */
  readonly now: () => Date;
}
