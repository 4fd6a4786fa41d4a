import {
  addCuratedStats,
  NO_CURATED_STATS,
  type CuratedStreamingStats,
} from '../../beam/streaming/index.js';
import { ofKind, type LoadedManifest } from '../../cdk8s/manifests/index.js';
import { curatedDlqTable, stationStatusCuratedTable } from '../../core/index.js';
import { DATAFLOW_JOB, SUBSCRIPTIONS } from '../../core/resource-names.js';
import type { Logger } from '../../runtime/logger.js';
import type { EmulatorEnv } from './stack-services.js';
import {
  startSupervisedCuratedRunner,
  type SupervisedCuratedRunner,
  type SupervisedRunnerOptions,
} from './supervised-runner.js';

/**
 * The curated runner's options from the `DataflowFlexTemplateJob` parameters (subscription and
 * tables as on Dataflow); batch size and wait only when given, else the runner's own defaults.
 */
export function curatedRunnerOptions(
  manifests: readonly LoadedManifest[],
  options: {
    projectId: string;
    emulatorEnv: EmulatorEnv;
    maxMessages?: number;
    maxWaitMs?: number;
    log: Logger;
    stopRestarts: AbortSignal;
  },
): SupervisedRunnerOptions {
  const { projectId, log } = options;
  const job = ofKind(manifests, 'DataflowFlexTemplateJob')[0]?.object.spec?.parameters as
    Record<string, string> | undefined;
  const table = (t: { datasetId: string; tableId: string }) =>
    `${projectId}:${t.datasetId}.${t.tableId}`;
  return {
    runner: {
      projectId,
      inputSubscription: job?.input_subscription ?? SUBSCRIPTIONS.eventsDataflow,
      outputTable: job?.output_table ?? table(stationStatusCuratedTable),
      dlqTable: job?.dlq_table ?? table(curatedDlqTable),
      ...(options.maxMessages !== undefined ? { maxMessages: options.maxMessages } : {}),
      ...(options.maxWaitMs !== undefined ? { maxWaitMs: options.maxWaitMs } : {}),
    },
    pubsubHost: options.emulatorEnv.PUBSUB_EMULATOR_HOST,
    bigqueryUrl: options.emulatorEnv.BIGQUERY_EMULATOR_HOST,
    logger: log.child({ component: DATAFLOW_JOB }),
    // The thread is restarted with backoff when it dies (restart-policy.ts).
    log,
    stopRestarts: options.stopRestarts,
  };
}

/** The stack's curated runner, which `pmp demo down --local` stops and `up` starts again. */
export interface StackRunner {
  /** The running one; undefined while paused. */
  current(): SupervisedCuratedRunner | undefined;
  paused(): boolean;
  /** What the runners so far curated: the stopped ones' totals plus the running one's. */
  totals(): CuratedStreamingStats;
  /** Stops it (it finishes and acks the batch in flight); its totals are kept. */
  pause(): Promise<void>;
  /** Starts a new one after a pause. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** The runner on its own thread: the emulators keep this one busy (docs/PERFORMANCE.md, #8). */
export async function startStackRunner(options: SupervisedRunnerOptions): Promise<StackRunner> {
  let runner: SupervisedCuratedRunner | undefined = await startSupervisedCuratedRunner(options);
  let finished: CuratedStreamingStats = NO_CURATED_STATS;
  let paused = false;
  const totals = () => (runner ? addCuratedStats(finished, runner.stats()) : finished);
  return {
    current: () => runner,
    paused: () => paused,
    totals,
    pause: async () => {
      if (paused) return;
      paused = true;
      if (runner) {
        await runner.stop();
        finished = totals();
        runner = undefined;
      }
    },
    resume: async () => {
      if (!paused) return;
      paused = false;
      runner = await startSupervisedCuratedRunner(options);
    },
    stop: async () => {
      await runner?.stop();
    },
  };
}
