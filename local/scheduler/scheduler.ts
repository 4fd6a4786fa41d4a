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

/** What every job of one scheduler shares: its clock and target, and what is running now. */
interface SchedulerRuntime {
  readonly clock: SimClock;
  readonly invoke: JobInvoker;
  readonly log: Logger;
  paused: boolean;
  stopped: boolean;
  /** Runs not yet finished, which pause() and stop() wait for. */
  readonly inFlight: Set<Promise<unknown>>;
  /** One a running attempt, so stop() can abort it. */
  readonly controllers: Set<AbortController>;
}

function newJobState(job: SchedulerJob): JobState {
  return {
    job,
    nextMs: null,
    running: false,
    skipped: 0,
    runs: 0,
    failures: 0,
    lastRun: null,
    lastResult: null,
  };
}

/**
 * One run of a job: up to `retryCount` retries after the first attempt, each aborted at the
 * attempt deadline, with exponential backoff between them (divided by the clock's speed).
 */
async function attempt(rt: SchedulerRuntime, state: JobState): Promise<string> {
  const { job } = state;
  let last: unknown;
  for (let n = 0; n <= job.retryCount; n += 1) {
    if (rt.stopped) throw new Error('scheduler stopped');
    const controller = new AbortController();
    rt.controllers.add(controller);
    const deadline = setTimeout(
      () => controller.abort(new Error(`attempt deadline ${job.attemptDeadlineSeconds}s exceeded`)),
      job.attemptDeadlineSeconds * 1000,
    );
    try {
      return await rt.invoke(job, controller.signal);
    } catch (error) {
      last = error;
      const backoff = Math.min(job.maxBackoffSeconds, job.minBackoffSeconds * 2 ** n);
      if (n < job.retryCount) {
        await new Promise((resolve) => setTimeout(resolve, (backoff * 1000) / rt.clock.speed));
      }
    } finally {
      clearTimeout(deadline);
      rt.controllers.delete(controller);
    }
  }
  throw last;
}

/** Runs a job now, keeping its counters and last result; the returned promise is its outcome. */
function run(rt: SchedulerRuntime, state: JobState): Promise<string> {
  state.runs += 1;
  state.running = true;
  state.lastRun = new Date(rt.clock.now()).toISOString();
  const p = attempt(rt, state)
    .finally(() => (state.running = false))
    .then(
      (result) => {
        state.lastResult = result;
        return result;
      },
      (error: unknown) => {
        state.failures += 1;
        state.lastResult = `failed: ${(error as Error).message}`;
        if (!rt.stopped) rt.log.warn({ job: state.job.name, err: error }, 'scheduler job failed');
        throw error;
      },
    );
  rt.inFlight.add(p);
  void p.catch(() => undefined).finally(() => rt.inFlight.delete(p));
  return p;
}

/** Sets the job's timer for its next cron time (none while paused or stopped). */
function arm(rt: SchedulerRuntime, state: JobState, after = rt.clock.now()): void {
  clearTimeout(state.timer);
  if (rt.paused || rt.stopped) {
    state.nextMs = null;
    return;
  }
  // From the later of now and the last fire time, so a timer firing a hair early never repeats a run.
  const fireAt = nextFireMs(state.job, Math.max(after, rt.clock.now()));
  state.nextMs = fireAt;
  state.timer = setTimeout(() => {
    arm(rt, state, fireAt);
    // Sped-up time can outrun a slow target; overlapping runs of one job would only pile up.
    if (state.running) {
      state.skipped += 1;
      return;
    }
    void run(rt, state).catch(() => undefined);
  }, rt.clock.realDelayUntil(fireAt));
}

function statusOf(state: JobState, paused: boolean): JobStatus {
  return {
    name: state.job.name,
    schedule: state.job.schedule,
    timeZone: state.job.timeZone,
    paused,
    runs: state.runs,
    failures: state.failures,
    skipped: state.skipped,
    nextRun: state.nextMs === null ? null : new Date(state.nextMs).toISOString(),
    lastRun: state.lastRun,
    lastResult: state.lastResult,
  };
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
  const rt: SchedulerRuntime = {
    clock: options.clock,
    invoke: options.invoke,
    log: options.log,
    paused: options.paused ?? false,
    stopped: false,
    inFlight: new Set(),
    controllers: new Set(),
  };
  const states = new Map(options.jobs.map((job) => [job.name, newJobState(job)]));
  const armAll = () => {
    for (const state of states.values()) arm(rt, state);
  };
  armAll();

  return {
    async pause() {
      rt.paused = true;
      armAll();
      await Promise.allSettled([...rt.inFlight]);
    },
    resume() {
      rt.paused = false;
      armAll();
    },
    runNow(name) {
      const state = states.get(name);
      if (!state) {
        return Promise.reject(
          new Error(`no scheduler job ${name}; jobs: ${[...states.keys()].join(', ')}`),
        );
      }
      return run(rt, state);
    },
    status: () => [...states.values()].map((s) => statusOf(s, rt.paused)),
    async stop() {
      rt.stopped = true;
      for (const state of states.values()) clearTimeout(state.timer);
      for (const controller of rt.controllers) controller.abort(new Error('scheduler stopped'));
      await Promise.allSettled([...rt.inFlight]);
    },
  };
}
