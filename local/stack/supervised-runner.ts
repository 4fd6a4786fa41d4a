import {
  addCuratedStats,
  NO_CURATED_STATS,
  type CuratedStreamingRunner,
  type CuratedStreamingStats,
} from '../../beam/streaming/index.js';
import {
  startCuratedStreamingRunnerThread,
  type CuratedStreamingRunnerThread,
  type RunnerThreadOptions,
} from '../../beam/streaming/index.js';
import { DATAFLOW_JOB } from '../../core/resource-names.js';
import type { Logger } from '../../runtime/logger.js';
import type { RestartPolicyOptions } from './restart-policy.js';
import {
  describeRestarts,
  supervise,
  type Incarnation,
  type SupervisedPhase,
  type SupervisorClock,
} from './restart-supervisor.js';

export interface SupervisedRunnerOptions extends RunnerThreadOptions {
  /** The stack's log, for restarts (the thread's own records go to `logger`). */
  readonly log: Logger;
  readonly policy?: RestartPolicyOptions;
  /** Once aborted, a runner thread that dies stays down (the stack is shutting down). */
  readonly stopRestarts?: AbortSignal;
  readonly clock?: SupervisorClock;
}

export interface SupervisedCuratedRunner extends CuratedStreamingRunner {
  /** Totals over every thread this runner has had, the crashed ones included. */
  stats(): CuratedStreamingStats;
  phase(): SupervisedPhase;
  restarts(): number;
  /** `restarts 2, last: thread exited with code 1`; empty before any crash. */
  describeRestarts(): string;
  /** Ends the current thread abruptly, as a crash would (tests). */
  crash(): Promise<void>;
}

/**
 * The curated runner thread under a restart policy: a thread that ends without being stopped
 * (an uncaught error, out of memory) is started again after the backoff. What it had leased and
 * not acked is redelivered by Pub/Sub, and its rows carry insertIds, so a restart neither loses
 * nor duplicates. Statistics carry over: a crashed thread's last totals are kept.
 */
export async function startSupervisedCuratedRunner(
  options: SupervisedRunnerOptions,
): Promise<SupervisedCuratedRunner> {
  const { log, policy, stopRestarts, clock, ...threadOptions } = options;
  let finished = NO_CURATED_STATS;
  const startOnce = async (): Promise<Incarnation<CuratedStreamingRunnerThread>> => {
    const thread = await startCuratedStreamingRunnerThread(threadOptions);
    return {
      instance: thread,
      ended: thread.exited.then((code) => `thread exited with code ${code}`),
    };
  };
  const supervised = await supervise({
    name: DATAFLOW_JOB,
    start: startOnce,
    stop: (thread) => thread.stop(),
    policy,
    stopRestarts,
    log,
    clock,
    onCrashed: (thread) => {
      if (thread) finished = addCuratedStats(finished, thread.stats());
    },
  });
  // stop() ends the current thread; its totals join the finished ones so stats() keeps them.
  let stoppedThread: CuratedStreamingRunnerThread | undefined;
  return {
    stats: () => {
      const thread = supervised.current() ?? stoppedThread;
      return thread ? addCuratedStats(finished, thread.stats()) : finished;
    },
    phase: () => supervised.phase(),
    restarts: () => supervised.restarts(),
    describeRestarts: () => describeRestarts(supervised),
    crash: async () => {
      await supervised.current()?.terminate();
    },
    stop: async () => {
      stoppedThread ??= supervised.current();
      await supervised.stop();
    },
  };
}
