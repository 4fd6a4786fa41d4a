import type { BigQuery } from '@google-cloud/bigquery';
import type { PubSub } from '@google-cloud/pubsub';
import type { OpenDataRejection } from '../../core/index.js';
import { landedSnapshots, type LandedSnapshots } from './landed-snapshots.js';
import { listOpenDataRecording, readOpenDataFile, readStationIds } from './opendata-files.js';
import {
  listRecording,
  readRecordedFile,
  replayEnvelope,
  replaySnapshots,
  type RecordedSnapshot,
  type ReplayResult,
} from './replay.js';

export type RecordingFormat = 'gbfs' | 'opendata';

export interface RecordingReplayOptions {
  /** A folder or one file. */
  readonly input: string;
  readonly pubsub: PubSub;
  /** Where the landed snapshots are looked up (once per replay). */
  readonly bigquery: BigQuery;
  /** @default 'gbfs' (Vélib or standard GBFS feed files) */
  readonly format?: RecordingFormat;
  /** The station_information file that gives open-data records their station ids. */
  readonly stationsFile?: string;
  /** Open data: the snapshot time from the file name instead of the newest `duedate`. */
  readonly timeFromName?: boolean;
  /** Publish snapshots that already landed, too. @default false */
  readonly force?: boolean;
  /**
   * Resolves once what an earlier, interrupted run published has landed, so the lookup sees it
   * (e.g. the writers' subscriptions drained).
   */
  readonly untilLanded?: () => Promise<void>;
  readonly rate?: number;
  readonly backlog?: () => Promise<number>;
  readonly onProgress?: (progress: { done: number; total: number }) => void;
}

/** Open-data records that did not become stations, over all files. */
export interface OpenDataReport {
  readonly records: number;
  readonly converted: number;
  /** Station codes the station_information file lacks, with how many records named each. */
  readonly unmatched: ReadonlyMap<string, number>;
  readonly rejected: readonly (OpenDataRejection & { file: string })[];
  /** Files of which no record converted: nothing published for them. */
  readonly emptyFiles: readonly string[];
}

interface OpenDataTally {
  records: number;
  converted: number;
  unmatched: Map<string, number>;
  rejected: (OpenDataRejection & { file: string })[];
  emptyFiles: string[];
}

export interface RecordingReplayResult extends ReplayResult {
  readonly files: number;
  /** Snapshots not published because the warehouse already holds them (0 with `force`). */
  readonly skipped: number;
  readonly openData?: OpenDataReport;
}

function openDataSnapshots(
  options: RecordingReplayOptions,
  files: readonly string[],
  report: OpenDataTally,
): Iterable<RecordedSnapshot | null> {
  if (!options.stationsFile) throw new Error('--format opendata needs --stations <file>');
  const stationIds = readStationIds(options.stationsFile);
  const { unmatched, rejected } = report;
  return (function* () {
    for (const file of files) {
      const { conversion, snapshot } = readOpenDataFile(file, stationIds, options);
      report.records += conversion.records;
      report.converted += conversion.converted;
      for (const code of conversion.unmatched) unmatched.set(code, (unmatched.get(code) ?? 0) + 1);
      rejected.push(...conversion.rejected.map((r) => ({ ...r, file })));
      if (!snapshot) report.emptyFiles.push(file);
      yield snapshot;
    }
  })();
}

/** The flags that only make sense together, checked before anything connects. */
export function assertRecordingFlags(
  options: Pick<RecordingReplayOptions, 'format' | 'stationsFile' | 'timeFromName'>,
): void {
  if (options.format === 'opendata') {
    if (!options.stationsFile) throw new Error('--format opendata needs --stations <file>');
  } else if (options.stationsFile || options.timeFromName) {
    throw new Error('--stations and --time-from-name go with --format opendata');
  }
}

/**
 * `pmp replay`: publishes a recording, skipping the snapshots the warehouse already holds (same
 * event type and `event_ts`) unless `force`, so an interrupted replay can simply be run again.
 * Writers' insertIds are message ids, so only this check keeps a second run from duplicating rows.
 */
export async function replayRecording(
  options: RecordingReplayOptions,
): Promise<RecordingReplayResult> {
  const format = options.format ?? 'gbfs';
  assertRecordingFlags(options);
  const files =
    format === 'opendata'
      ? listOpenDataRecording(options.input, options.stationsFile ?? '')
      : listRecording(options.input);
  const report: OpenDataTally = {
    records: 0,
    converted: 0,
    unmatched: new Map(),
    rejected: [],
    emptyFiles: [],
  };
  const read: Iterable<RecordedSnapshot | null> =
    format === 'opendata'
      ? openDataSnapshots(options, files, report)
      : files.map((file) => readRecordedFile(file));
  let landed: LandedSnapshots | null = null;
  if (!options.force) {
    await options.untilLanded?.();
    landed = await landedSnapshots(options.bigquery);
  }
  let skipped = 0;
  let published = 0;
  const progress = () => options.onProgress?.({ done: published + skipped, total: files.length });
  const toPublish = (function* () {
    for (const snapshot of read) {
      if (snapshot && landed?.has(snapshot.eventType, replayEnvelope(snapshot).event_ts)) {
        skipped += 1;
        progress();
        continue;
      }
      if (snapshot) yield snapshot;
    }
  })();
  const result = await replaySnapshots({
    pubsub: options.pubsub,
    snapshots: toPublish,
    total: files.length,
    rate: options.rate,
    backlog: options.backlog,
    onProgress: (p) => {
      published = p.published;
      progress();
    },
  });
  return {
    ...result,
    files: files.length,
    skipped,
    ...(format === 'opendata' ? { openData: report } : {}),
  };
}
