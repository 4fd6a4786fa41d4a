import type { Logger } from 'pino';
import type { SimClock } from './clock.js';
import { nextFireMs, type SchedulerJob } from './jobs.js';

export interface JobStatus {
  readonly name: string;
  readonly schedule: string;
  readonly timeZone: string;
  readonly paused: boolean;
  readonly runs: number;
  readonly failures: number;
  /** Fire times skipped because the previous run of the job was still in flight. */
  readonly skipped: number;
  /** Simulated time of the next run (null while paused). */
  readonly nextRun: string | null;
  readonly lastRun: string | null;
  readonly lastResult: string | null;
}

/** Calls a job's target once; throws on failure (the scheduler retries per the job's retryConfig). */
export type JobInvoker = (job: SchedulerJob, signal: AbortSignal) => Promise<string>;

export interface LocalScheduler {
  /**
   * Stops firing, and resolves once the runs already in flight have finished: after it, no job
   * of this scheduler publishes anything until resume().
   */
  pause(): Promise<void>;
  resume(): void;
  /** Runs a job now (outside its schedule), as `gcloud scheduler jobs run` does. */
  runNow(name: string): Promise<string>;
  status(): JobStatus[];
  stop(): Promise<void>;
}

interface JobState {
  job: SchedulerJob;
  timer?: NodeJS.Timeout;
  nextMs: number | null;
  running: boolean;
  skipped: number;
  runs: number;
  failures: number;
  lastRun: string | null;
  lastResult: string | null;
}

/**
 * Cloud Scheduler on one machine: fires each job at its cron times in its time zone on the
 * simulated clock, with the job's attempt deadline and retries (backoff divided by the clock's
 * speed). A paused scheduler skips missed runs, like a paused Cloud Scheduler job.
 */
export function startScheduler(options: {
  jobs: readonly SchedulerJob[];
  clock: SimClock;
  invoke: JobInvoker;
  log: Logger;
  /** Start paused. @default false */
  paused?: boolean;
}): LocalScheduler {
  const { clock, log } = options;
  let paused = options.paused ?? false;
  let stopped = false;
  const inFlight = new Set<Promise<unknown>>();
  const controllers = new Set<AbortController>();
  const states = new Map<string, JobState>(
    options.jobs.map((job) => [
      job.name,
      {
        job,
        nextMs: null,
        running: false,
        skipped: 0,
        runs: 0,
        failures: 0,
        lastRun: null,
        lastResult: null,
      },
    ]),
  );

  const attempt = async (state: JobState): Promise<string> => {
    const { job } = state;
    let last: unknown;
    for (let n = 0; n <= job.retryCount; n += 1) {
      if (stopped) throw new Error('scheduler stopped');
      const controller = new AbortController();
      controllers.add(controller);
      const deadline = setTimeout(
        () =>
          controller.abort(new Error(`attempt deadline ${job.attemptDeadlineSeconds}s exceeded`)),
        job.attemptDeadlineSeconds * 1000,
      );
      try {
        return await options.invoke(job, controller.signal);
      } catch (error) {
        last = error;
        const backoff = Math.min(job.maxBackoffSeconds, job.minBackoffSeconds * 2 ** n);
        if (n < job.retryCount) {
          await new Promise((resolve) => setTimeout(resolve, (backoff * 1000) / clock.speed));
        }
      } finally {
        clearTimeout(deadline);
        controllers.delete(controller);
      }
    }
    throw last;
  };

  const run = (state: JobState): Promise<string> => {
    state.runs += 1;
    state.running = true;
    state.lastRun = new Date(clock.now()).toISOString();
    const p = attempt(state)
      .finally(() => (state.running = false))
      .then(
        (result) => {
          state.lastResult = result;
          return result;
        },
        (error: unknown) => {
          state.failures += 1;
          state.lastResult = `failed: ${(error as Error).message}`;
          if (!stopped) log.warn({ job: state.job.name, err: error }, 'scheduler job failed');
          throw error;
        },
      );
    inFlight.add(p);
    void p.catch(() => undefined).finally(() => inFlight.delete(p));
    return p;
  };

  const arm = (state: JobState, after = clock.now()): void => {
    clearTimeout(state.timer);
    if (paused || stopped) {
      state.nextMs = null;
      return;
    }
    // From the later of now and the last fire time, so a timer firing a hair early never repeats a run.
    const fireAt = nextFireMs(state.job, Math.max(after, clock.now()));
    state.nextMs = fireAt;
    state.timer = setTimeout(() => {
      arm(state, fireAt);
      // Sped-up time can outrun a slow target; overlapping runs of one job would only pile up.
      if (state.running) {
        state.skipped += 1;
        return;
      }
      void run(state).catch(() => undefined);
    }, clock.realDelayUntil(fireAt));
  };

  for (const state of states.values()) arm(state);

  return {
    async pause() {
      paused = true;
      for (const state of states.values()) arm(state);
      await Promise.allSettled([...inFlight]);
    },
    resume() {
      paused = false;
      for (const state of states.values()) arm(state);
    },
    runNow(name) {
      const state = states.get(name);
      if (!state) {
        return Promise.reject(
          new Error(`no scheduler job ${name}; jobs: ${[...states.keys()].join(', ')}`),
        );
      }
      return run(state);
    },
    status: () =>
      [...states.values()].map((s) => ({
        name: s.job.name,
        schedule: s.job.schedule,
        timeZone: s.job.timeZone,
        paused,
        runs: s.runs,
        failures: s.failures,
        skipped: s.skipped,
        nextRun: s.nextMs === null ? null : new Date(s.nextMs).toISOString(),
        lastRun: s.lastRun,
        lastResult: s.lastResult,
      })),
    async stop() {
      stopped = true;
      for (const state of states.values()) clearTimeout(state.timer);
      for (const controller of controllers) controller.abort(new Error('scheduler stopped'));
      await Promise.allSettled([...inFlight]);
    },
  };
}
