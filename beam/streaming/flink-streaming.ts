import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from '@google-cloud/bigquery';
import * as beam from 'apache-beam';
import { JobState_Enum } from 'apache-beam/proto/beam_job_api';
import type { PortableRunner } from 'apache-beam/runners/portable_runner/runner';
import type { PipelineResult } from 'apache-beam/runners/runner';
import type { KeyedDlqRecord, KeyedRow } from '../transform/curated-elements.js';
import { insertCuratedRows, insertDlqRecords } from './bigquery-writes.js';
import { curatedFromPubsub } from '../dataflow/dataflow-pipeline.js';
import type { PipelineFn } from '../direct/direct-run.js';
import { startGcpExpansionService } from '../portable/gcp-expansion-service.js';
import { OwnedWorkerPool } from '../portable/owned-worker-pool.js';
import { addServiceOverrides, createPortableRunner } from '../portable/runners.js';
import { GCP_IO_EXPANSION_TARGET } from '../dataflow/pubsub-read.js';
import { SPOOL_SUFFIX, SpoolSinkDoFn } from './spool-sink.js';

export interface FlinkStreamingOptions {
  /** `projects/<project>/subscriptions/<name>`, read by Java PubsubIO. */
  readonly subscription: string;
  /** Pub/Sub's REST root PubsubIO talks to, e.g. `http://127.0.0.1:8085` for the emulator. */
  readonly pubsubRootUrl: string;
  readonly curatedTable: Table;
  readonly dlqTable: Table;
  /** Where bundles are spooled for the loader (created, emptied at stop). */
  readonly spoolDir: string;
  /** Flink checkpoints every this many ms; PubsubIO acks a message when its checkpoint completes. */
  readonly checkpointingIntervalMs?: number;
  readonly now?: () => Date;
}

export interface FlinkStreamingTotals {
  readonly rowsInserted: number;
  readonly dlqInserted: number;
}

export interface RunningFlinkStreaming {
  /** What the loader has written to BigQuery so far. */
  totals(): FlinkStreamingTotals;
  /** Cancels the Flink job, loads what was spooled, stops the expansion service. */
  stop(): Promise<FlinkStreamingTotals>;
}

/**
 * The Dataflow variant's graph (Java PubsubIO read → the curated composite) with file sinks in
 * place of the BigQuery writes: Beam 2.49's Java BigQuery writes use the Storage Write API and have
 * no endpoint option, so they cannot reach our emulator.
 */
export function flinkStreamingPipeline(subscription: string, spoolDir: string): PipelineFn {
  return async (root: beam.Root) => {
    const { rows, dlq } = await curatedFromPubsub(root, subscription);
    rows.apply(beam.parDo(new SpoolSinkDoFn<KeyedRow>(join(spoolDir, 'rows'), 'rows')));
    return dlq.apply(beam.parDo(new SpoolSinkDoFn(join(spoolDir, 'dlq'), 'dlq')));
  };
}

/**
 * Runs the curated job as a streaming job on an embedded Flink, reading Pub/Sub through its REST
 * API, with a loader inserting the spooled rows and DLQ records with the official client
 * (no insertIds: 2.49's ExternalRead gives no message id; rejected rows as `bq_insert_curated`
 * DLQ records).
 */
export async function startFlinkCuratedStreaming(
  options: FlinkStreamingOptions,
): Promise<RunningFlinkStreaming> {
  for (const sub of ['rows', 'dlq']) mkdirSync(join(options.spoolDir, sub), { recursive: true });
  const expansion = await startGcpExpansionService({
    environment: 'EMBEDDED',
    // The SDF wrapper of an unbounded Read never emitted on the portable Flink runner here; as a
    // primitive Read, Flink runs PubsubIO's source itself (UnboundedSourceWrapper).
    pipelineOptions: ['--experiments=use_deprecated_read'],
  });
  addServiceOverrides({ [GCP_IO_EXPANSION_TARGET]: expansion.address });
  let workerFailure: Error | null = null;
  const workers = new OwnedWorkerPool((error) => (workerFailure ??= error));
  const runner = await createPortableRunner('flink', {
    workerPoolAddress: await workers.start(),
    pipelineOptions: {
      streaming: true,
      checkpointingInterval: options.checkpointingIntervalMs ?? 1_000,
      // Otherwise what a bundle emits while a checkpoint is taken is parked in operator state, and
      // in about one run in three a snapshot's rows (and the DLQ records) stayed parked there.
      finishBundleBeforeCheckpointing: true,
      pubsubRootUrl: options.pubsubRootUrl,
    },
  });
  let result: PipelineResult;
  try {
    result = await runner.runAsync(flinkStreamingPipeline(options.subscription, options.spoolDir));
  } catch (error) {
    workers.stop();
    await expansion.stop();
    throw error;
  }
  const loader = new SpoolLoader(options);
  const timer = setInterval(() => void loader.loadOnce(), 200);
  const watch = watchForFailure(result);
  return {
    totals: () => {
      const failure = watch.failure ?? workerFailure;
      if (failure) throw failure;
      return loader.totals();
    },
    stop: async () => {
      clearInterval(timer);
      clearInterval(watch.timer);
      await cancelAndStop(runner, result, workers);
      await expansion.stop();
      await loader.loadOnce();
      return loader.totals();
    },
  };
}

/**
 * Cancels the job, waits for Flink to report it cancelled, ends the TypeScript workers, and only
 * then lets the SDK stop the job server (the SDK's `result.cancel()` stops it at once).
 */
async function cancelAndStop(
  runner: PortableRunner,
  result: PipelineResult,
  workers: OwnedWorkerPool,
): Promise<void> {
  const { jobId } = result as PipelineResult & { jobId: string };
  await runner.cancelJob(jobId);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { state } = await runner.getJobState(jobId);
    if (state === JobState_Enum.CANCELLED || state === JobState_Enum.FAILED) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  workers.stop();
  await result.waitUntilFinish(60_000);
}

/** Polls the job's state, so a job that failed on Flink is reported instead of waited for. */
function watchForFailure(result: PipelineResult): { failure: Error | null; timer: NodeJS.Timeout } {
  const watch = { failure: null as Error | null, timer: undefined as unknown as NodeJS.Timeout };
  const stateful = result as PipelineResult & { getState(): Promise<{ state: number }> };
  watch.timer = setInterval(() => {
    void stateful.getState().then(
      ({ state }) => {
        if (state !== JobState_Enum.RUNNING && state !== JobState_Enum.STARTING) {
          watch.failure ??= new Error(`the Flink job stopped in state ${JobState_Enum[state]}`);
        }
      },
      (error: unknown) => (watch.failure ??= error as Error),
    );
  }, 2_000);
  return watch;
}

/** Inserts finished spool files, oldest first, deleting each once it has landed. */
class SpoolLoader {
  private rows = 0;
  private dlq = 0;
  private running: Promise<void> | null = null;

  constructor(private readonly options: FlinkStreamingOptions) {}

  totals(): FlinkStreamingTotals {
    return { rowsInserted: this.rows, dlqInserted: this.dlq };
  }

  loadOnce(): Promise<void> {
    this.running ??= this.load().finally(() => (this.running = null));
    return this.running;
  }

  private async load(): Promise<void> {
    const { spoolDir, curatedTable, dlqTable } = this.options;
    const now = this.options.now ?? (() => new Date());
    for (const path of finishedFiles(join(spoolDir, 'dlq'))) {
      const records = readKeyed<KeyedDlqRecord>(path);
      await insertDlqRecords(dlqTable, records);
      this.dlq += records.length;
      rmSync(path);
    }
    for (const path of finishedFiles(join(spoolDir, 'rows'))) {
      const { inserted, failures } = await insertCuratedRows(
        curatedTable,
        readKeyed<KeyedRow>(path),
        {
          destination: curatedTable.id ?? 'curated',
          now,
        },
      );
      if (failures.length > 0) await insertDlqRecords(dlqTable, failures);
      this.rows += inserted;
      this.dlq += failures.length;
      rmSync(path);
    }
  }
}

function finishedFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(SPOOL_SUFFIX))
    .sort()
    .map((name) => join(dir, name));
}

function readKeyed<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}
