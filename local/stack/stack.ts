import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BigQuery } from '@google-cloud/bigquery';
import type { PubSub } from '@google-cloud/pubsub';
import type { CuratedStreamingStats } from '../../beam/streaming/index.js';
import { readManifestDir, type LoadedManifest } from '../../cdk8s/manifests/index.js';
import { SERVICES } from '../../core/resource-names.js';
import { silentLogger, type Logger } from '../../runtime/logger.js';
import { startEmulators, type RunningEmulators } from '../emulators.js';
import { projectOf } from '../reconcile/desired.js';
import type { Change } from '../reconcile/plan.js';
import { reconcile } from '../reconcile/reconcile.js';
import { createSimClock, type SimClock } from '../scheduler/clock.js';
import { schedulerJobsOf, type SchedulerJob } from '../scheduler/jobs.js';
import type { LocalScheduler } from '../scheduler/scheduler.js';
import { clientsFor } from './connect.js';
import { startControlServer } from './control.js';
import { startFeed, type RunningFeed } from './feed.js';
import { invokerAudiences } from './invoker-audiences.js';
import { serviceSpecsOf, type ServiceSpec } from './service-specs.js';
import { componentsOf, type StackParts } from './stack-components.js';
import { cloudRunJobRunner, type StackJobRunner } from './stack-jobs.js';
import { checkPortsFree, DEFAULT_PORTS, type StackPorts } from './stack-ports.js';
import { curatedRunnerOptions, startStackRunner, type StackRunner } from './stack-runner.js';
import { startStackScheduler, type StackScheduling } from './stack-scheduler.js';
import { servicesToStart, startStackServices, type EmulatorEnv } from './stack-services.js';
import {
  removeStackState,
  writeStackState,
  type ComponentState,
  type StackState,
} from './state-file.js';

export type { StackPorts } from './stack-ports.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StackOptions {
  /** @default the repository this file is in */
  readonly root?: string;
  /** Environment folder, relative to root. @default 'clusters/local' */
  readonly envDir?: string;
  /** `sim` (default), `live`, or a folder of recorded station_status files. */
  readonly feed?: string;
  /** Simulated time (feed and scheduler) runs this many times faster. @default 1 */
  readonly speed?: number;
  /** Simulated time at start. @default now */
  readonly start?: Date;
  /** @default 1 */
  readonly seed?: number;
  /** Emulator state, logs and stack.json live here; null keeps everything in memory. @default '.pmp' */
  readonly dataDir?: string | null;
  readonly ports?: StackPorts;
  /**
   * The address every service process listens on (their `HOST`). Emulators, feed and control
   * endpoint stay on 127.0.0.1 whatever this says. @default '127.0.0.1'
   */
  readonly serviceHost?: string;
  /** Start the dashboard when its entry point exists. @default true */
  readonly dashboard?: boolean;
  /** Start the scheduler. @default true */
  readonly scheduler?: boolean;
  /**
   * Start the scheduler paused, so nothing is collected until `resume()` (a backfill of recorded
   * history must not mix in today's snapshots). @default false
   */
  readonly schedulerPaused?: boolean;
  /** Collect both feeds once right after start, so the views are not empty. @default true */
  readonly collectAtStart?: boolean;
  /** Extra environment for one service, by Cloud Run name (e.g. DLQ_TEST_ENABLED for a drill). */
  readonly serviceEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Curated runner micro-batch size. @default the runner's own (CURATED_RUNNER_DEFAULTS) */
  readonly runnerMaxMessages?: number;
  /** Curated runner batch wait. @default the runner's own (CURATED_RUNNER_DEFAULTS) */
  readonly runnerMaxWaitMs?: number;
  readonly log?: Logger;
  /** Progress lines for a person watching start-up. */
  readonly onProgress?: (line: string) => void;
}

export interface RunningStack {
  readonly projectId: string;
  readonly clock: SimClock;
  readonly emulators: RunningEmulators;
  readonly feed: RunningFeed;
  readonly scheduler: LocalScheduler | undefined;
  readonly pubsub: PubSub;
  readonly bigquery: BigQuery;
  readonly env: StackState['env'];
  readonly serviceUrls: Readonly<Record<string, string>>;
  /** The service processes running now, with the port each listens on. */
  serviceProcesses(): readonly ServiceProcess[];
  readonly dashboardUrl: string | null;
  readonly controlUrl: string;
  /** What the first reconcile did. */
  readonly plan: readonly Change[];
  components(): ComponentState[];
  runnerStats(): CuratedStreamingStats & { paused: boolean };
  /** Pauses the scheduler and the curated runner. */
  pause(): Promise<void>;
  /** Resumes both, including a scheduler started paused. */
  resume(): Promise<void>;
  /** The scheduler alone; resolves once a collection in flight has published. */
  pauseScheduler(): Promise<void>;
  resumeScheduler(): Promise<void>;
  /** Runs both collector jobs now (not the data-quality run); returns their results. */
  collectNow(): Promise<Record<string, string>>;
  /** Runs a Cloud Run Job (the DLQ replayer) to completion with its manifest env plus `env`. */
  runJob: StackJobRunner;
  close(): Promise<void>;
}

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
}

/** What every start-up step shares: the options resolved once, and the stop steps so far. */
interface StackContext {
  readonly options: StackOptions;
  readonly root: string;
  readonly envDir: string;
  readonly dataDir: string | null;
  readonly ports: Required<StackPorts>;
  readonly serviceHost: string;
  readonly log: Logger;
  readonly progress: (line: string) => void;
  readonly clock: SimClock;
  /** Aborted first thing in close(): a component that dies while the stack stops stays down. */
  readonly shutdown: AbortSignal;
  /** A stop step for what was just started; close() runs them in reverse order. */
  onClose(step: () => Promise<void>): void;
  close(): Promise<void>;
}

function stackContext(options: StackOptions): StackContext {
  const root = options.root ?? REPO_ROOT;
  const dataDir =
    options.dataDir === null ? null : path.resolve(options.dataDir ?? path.join(root, '.pmp'));
  const log = options.log ?? silentLogger();
  const steps: (() => Promise<void>)[] = [];
  const shutdown = new AbortController();
  return {
    options,
    root,
    envDir: path.resolve(root, options.envDir ?? 'clusters/local'),
    dataDir,
    ports: { ...DEFAULT_PORTS, ...options.ports },
    serviceHost: options.serviceHost ?? '127.0.0.1',
    log,
    progress: options.onProgress ?? (() => undefined),
    clock: createSimClock({ speed: options.speed ?? 1, start: options.start }),
    shutdown: shutdown.signal,
    onClose: (step) => steps.push(step),
    close: async () => {
      shutdown.abort();
      for (const step of steps.splice(0).reverse()) {
        try {
          await step();
        } catch (error) {
          log.warn({ err: error }, 'stop step failed');
        }
      }
      if (dataDir) removeStackState(dataDir);
    },
  };
}

/**
 * The whole pipeline on one machine, provisioned from the rendered manifests: emulators → feed →
 * services (one process each, configured from their Knative specs) → `reconcile` (push endpoints
 * mapped to the services' ports) → curated runner → scheduler → one collection → control endpoint.
 * Everything started is stopped by `close()`, in reverse order, also when start-up fails halfway.
 */
export async function startLocalStack(options: StackOptions = {}): Promise<RunningStack> {
  const ctx = stackContext(options);
  try {
    const manifests = await prepareStart(ctx);
    const projectId = projectOf(manifests) ?? 'pmp-local';
    const emulators = await startStackEmulators(ctx, projectId);
    const feed = await startStackFeed(ctx);
    const { specs, jobs, services } = await startServices(
      ctx,
      manifests,
      projectId,
      emulators.env,
      feed,
    );
    ctx.progress(`reconciling ${shownPath(ctx, ctx.envDir)} into the emulators`);
    const { pubsub, bigquery } = emulators;
    const plan = await reconcile({
      dir: ctx.envDir,
      projectId,
      serviceUrls: services.urls,
      pubsub,
      bigquery,
    });
    const runner = await startRunner(ctx, manifests, projectId, emulators.env);
    const scheduling = await startScheduling(ctx, jobs, services.urls, emulators.emulators);
    const stack = stackHandle(ctx, {
      projectId,
      ...emulators,
      feed,
      specs,
      services,
      plan: plan.changes,
      runner,
      scheduling,
    });
    return await startControl(ctx, stack);
  } catch (error) {
    await ctx.close();
    throw error;
  }
}

/** `--feed`: the simulator on the simulated clock, the live feed, or a recorded folder. */
async function startStackFeed(ctx: StackContext): Promise<RunningFeed> {
  const feed = await startFeed({
    feed: ctx.options.feed ?? 'sim',
    port: ctx.ports.simulator,
    seed: ctx.options.seed ?? 1,
    clock: ctx.clock,
  });
  ctx.onClose(() => feed.close());
  return feed;
}

/** The curated runner, from the manifests' Dataflow job. */
async function startRunner(
  ctx: StackContext,
  manifests: readonly LoadedManifest[],
  projectId: string,
  env: EmulatorEnv,
): Promise<StackRunner> {
  const runner = await startStackRunner(
    curatedRunnerOptions(manifests, {
      projectId,
      emulatorEnv: env,
      maxMessages: ctx.options.runnerMaxMessages,
      maxWaitMs: ctx.options.runnerMaxWaitMs,
      log: ctx.log,
      stopRestarts: ctx.shutdown,
    }),
  );
  ctx.onClose(() => runner.stop());
  return runner;
}

/** The scheduler (unless `scheduler: false`), then one collection unless `collectAtStart: false`. */
async function startScheduling(
  ctx: StackContext,
  jobs: readonly SchedulerJob[],
  serviceUrls: Readonly<Record<string, string>>,
  emulators: RunningEmulators,
): Promise<StackScheduling> {
  const scheduling = startStackScheduler({
    jobs,
    clock: ctx.clock,
    serviceUrls,
    mintIdToken: (request) => emulators.pubsub!.mintIdToken(request),
    log: ctx.log,
    enabled: ctx.options.scheduler,
    paused: ctx.options.schedulerPaused,
  });
  const { scheduler } = scheduling;
  if (scheduler) ctx.onClose(() => scheduler.stop());
  if (ctx.options.collectAtStart ?? true) {
    ctx.progress('collecting both feeds once');
    // Station information first, so the enriched views have names from the start.
    await scheduling.collectNow();
  }
  return scheduling;
}

/** What start-up made, for the handle. */
interface StartedStack extends Omit<StackParts, 'emulatorEnv' | 'dataDir' | 'scheduler'> {
  readonly projectId: string;
  readonly env: EmulatorEnv;
  readonly pubsub: PubSub;
  readonly bigquery: BigQuery;
  readonly specs: readonly ServiceSpec[];
  readonly plan: readonly Change[];
  readonly scheduling: StackScheduling;
}

/** The running stack's handle (all but the control endpoint, which serves it). */
function stackHandle(ctx: StackContext, started: StartedStack): Omit<RunningStack, 'controlUrl'> {
  const { services, runner, scheduling } = started;
  const { scheduler } = scheduling;
  const parts: StackParts = {
    ...started,
    emulatorEnv: started.env,
    dataDir: ctx.dataDir,
    scheduler,
  };
  return {
    projectId: started.projectId,
    clock: ctx.clock,
    emulators: started.emulators,
    feed: started.feed,
    scheduler,
    pubsub: started.pubsub,
    bigquery: started.bigquery,
    env: started.env,
    serviceUrls: services.urls,
    serviceProcesses: () =>
      [...services.running.values()]
        .filter((s) => s.status() === 'running')
        .map((s) => ({ name: s.name, pid: s.pid, port: s.port, url: s.url })),
    dashboardUrl:
      services.running.get(SERVICES.dashboard)?.url.replace('127.0.0.1', 'localhost') ?? null,
    plan: started.plan,
    components: () => componentsOf(parts),
    runnerStats: () => ({ ...runner.totals(), paused: runner.paused() }),
    // The runner has its own paused state; the scheduler keeps its own, so either can be paused alone.
    pause: async () => {
      await scheduling.pause();
      await runner.pause();
    },
    resume: async () => {
      await scheduling.resume();
      await runner.resume();
    },
    pauseScheduler: scheduling.pause,
    resumeScheduler: scheduling.resume,
    collectNow: scheduling.collectNow,
    runJob: cloudRunJobRunner({
      specs: started.specs,
      envDir: ctx.envDir,
      root: ctx.root,
      dataDir: ctx.dataDir,
      emulatorEnv: started.env,
      serviceHost: ctx.serviceHost,
    }),
    close: ctx.close,
  };
}

/** `dir` as a person at the repository root would type it (absolute when it is elsewhere). */
function shownPath(ctx: StackContext, dir: string): string {
  const relative = path.relative(ctx.root, dir);
  return relative && !relative.startsWith('..') ? relative : dir;
}

/** Refuses busy ports before anything starts; reads the manifests; makes the log folder. */
async function prepareStart(ctx: StackContext): Promise<LoadedManifest[]> {
  await checkPortsFree(ctx.ports, {
    dashboard: ctx.options.dashboard !== false,
    feed: ctx.options.feed ?? 'sim',
    serviceHost: ctx.serviceHost,
  });
  const manifests = readManifestDir(ctx.envDir);
  if (ctx.dataDir) mkdirSync(path.join(ctx.dataDir, 'logs'), { recursive: true });
  return manifests;
}

/** Both emulators (state in the data dir), the variables that find them, and official clients. */
async function startStackEmulators(ctx: StackContext, projectId: string) {
  ctx.progress('starting the Pub/Sub and BigQuery emulators');
  const emulators = await startEmulators({
    pubsubPort: ctx.ports.pubsub,
    pubsubAdminPort: ctx.ports.pubsubAdmin,
    bigqueryPort: ctx.ports.bigquery,
    dataDir: ctx.dataDir ?? undefined,
    log: ctx.log.child({ component: 'emulators' }),
  });
  ctx.onClose(() => emulators.close());
  const env: EmulatorEnv = {
    PUBSUB_EMULATOR_HOST: emulators.env.PUBSUB_EMULATOR_HOST!,
    BIGQUERY_EMULATOR_HOST: emulators.env.BIGQUERY_EMULATOR_HOST!,
    PUSH_JWKS_URL: emulators.env.PUSH_JWKS_URL!,
  };
  const { pubsub, bigquery } = clientsFor({
    pubsubHost: env.PUBSUB_EMULATOR_HOST,
    bigqueryUrl: env.BIGQUERY_EMULATOR_HOST,
    projectId,
  });
  ctx.onClose(() => pubsub.close());
  return { emulators, env, pubsub, bigquery };
}

/**
 * The Cloud Run specs (`cloud-run/`) and scheduler jobs (`demo/`) of the manifests, and every
 * service started from its spec, each told the audience its scheduler jobs' tokens carry.
 */
async function startServices(
  ctx: StackContext,
  manifests: readonly LoadedManifest[],
  projectId: string,
  env: EmulatorEnv,
  feed: RunningFeed,
) {
  const { specs, skipped } = serviceSpecsOf(
    manifests.filter((m) => m.file.startsWith('cloud-run/')),
    ctx.root,
  );
  if (skipped.length > 0) ctx.log.warn({ skipped }, 'services without a local entry point');
  const jobs = schedulerJobsOf(
    manifests.filter((m) => m.file.startsWith('demo/')),
    projectId,
  );
  const wanted = servicesToStart(specs, ctx.options.dashboard ?? true);
  ctx.progress(
    `starting ${wanted.length} services from ${shownPath(ctx, path.join(ctx.envDir, 'cloud-run'))}`,
  );
  const services = await startStackServices({
    wanted,
    audiences: invokerAudiences(
      jobs,
      specs.map((s) => s.name),
    ),
    emulatorEnv: env,
    feed,
    serviceHost: ctx.serviceHost,
    dashboardPort: ctx.ports.dashboard,
    serviceEnv: ctx.options.serviceEnv,
    root: ctx.root,
    dataDir: ctx.dataDir,
    log: ctx.log,
    stopRestarts: ctx.shutdown,
    onStarted: (service) => ctx.onClose(() => service.stop()),
  });
  return { specs, jobs, services };
}

/** The control endpoint over the stack's own operations, then `stack.json` for `pmp status`. */
async function startControl(
  ctx: StackContext,
  stack: Omit<RunningStack, 'controlUrl'>,
): Promise<RunningStack> {
  const control = await startControlServer({
    port: ctx.ports.control,
    handlers: {
      status: () => ({
        components: stack.components(),
        runner: stack.runnerStats(),
        scheduler: stack.scheduler?.status() ?? [],
        simulatedTime: new Date(ctx.clock.now()).toISOString(),
      }),
      pause: stack.pause,
      resume: stack.resume,
      pauseScheduler: stack.pauseScheduler,
      resumeScheduler: stack.resumeScheduler,
      collect: stack.collectNow,
      runJob: (name, extra) => stack.runJob(name, extra),
    },
  });
  ctx.onClose(() => control.close());
  if (ctx.dataDir) {
    writeStackState({
      pid: process.pid,
      startedAt: new Date().toISOString(),
      projectId: stack.projectId,
      dataDir: ctx.dataDir,
      speed: ctx.options.speed ?? 1,
      feed: stack.feed.kind,
      env: stack.env,
      pubsubAdminUrl: stack.emulators.pubsub!.adminUrl,
      serviceUrls: stack.serviceUrls,
      controlUrl: control.url,
      components: stack.components(),
    });
  }
  return { ...stack, controlUrl: control.url };
}
