import type { Logger } from '../../runtime/logger.js';
import type { SimClock } from '../scheduler/clock.js';
import { httpJobInvoker } from '../scheduler/http-invoker.js';
import { isCollectorJob, type SchedulerJob } from '../scheduler/jobs.js';
import { startScheduler, type LocalScheduler } from '../scheduler/scheduler.js';

/** The stack's Cloud Scheduler, or none (`scheduler: false`), and collecting on demand either way. */
export interface StackScheduling {
  readonly scheduler: LocalScheduler | undefined;
  /** Resolves once a collection in flight has published. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Runs both collector jobs now (not the data-quality run); returns their results. */
  collectNow(): Promise<Record<string, string>>;
}

/**
 * The scheduler on the simulated clock, calling the services as Cloud Scheduler would (OIDC
 * tokens minted with the Pub/Sub emulator's key). Without a scheduler, `collectNow` calls the
 * collectors itself.
 */
export function startStackScheduler(options: {
  jobs: readonly SchedulerJob[];
  clock: SimClock;
  serviceUrls: Readonly<Record<string, string>>;
  mintIdToken: (request: { audience: string; email: string }) => Promise<string>;
  log: Logger;
  /** @default true */
  enabled?: boolean;
  /** @default false */
  paused?: boolean;
}): StackScheduling {
  const invoke = httpJobInvoker({
    serviceUrls: () => options.serviceUrls,
    mintIdToken: options.mintIdToken,
  });
  const scheduler =
    options.enabled === false
      ? undefined
      : startScheduler({
          jobs: options.jobs,
          clock: options.clock,
          invoke,
          log: options.log.child({ component: 'scheduler' }),
          paused: options.paused ?? false,
        });
  const collectorJobs = options.jobs.filter(isCollectorJob);
  return {
    scheduler,
    pause: async () => {
      await scheduler?.pause();
    },
    resume: async () => {
      scheduler?.resume();
    },
    collectNow: async () => {
      const results: Record<string, string> = {};
      for (const job of collectorJobs) {
        try {
          results[job.name] = scheduler
            ? await scheduler.runNow(job.name)
            : await invoke(job, AbortSignal.timeout(job.attemptDeadlineSeconds * 1000));
        } catch (error) {
          results[job.name] = `failed: ${(error as Error).message}`;
        }
      }
      return results;
    },
  };
}
