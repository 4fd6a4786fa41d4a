import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BigQuery } from '@google-cloud/bigquery';
import type { PubSub } from '@google-cloud/pubsub';
import {
  addCuratedStats,
  NO_CURATED_STATS,
  type CuratedStreamingStats,
} from '../../beam/streaming/index.js';
import { silentLogger, type Logger } from '../../runtime/logger.js';
import { startEmulators, type RunningEmulators } from '../emulators.js';
import { ofKind, readManifestDir } from '../../cdk8s/manifests/index.js';
import { projectOf } from '../reconcile/desired.js';
import type { Change } from '../reconcile/plan.js';
import { reconcile } from '../reconcile/reconcile.js';
import { createSimClock, type SimClock } from '../scheduler/clock.js';
import { httpJobInvoker } from '../scheduler/http-invoker.js';
import { isCollectorJob, schedulerJobsOf } from '../scheduler/jobs.js';
import { startScheduler, type LocalScheduler } from '../scheduler/scheduler.js';
import { clientsFor } from './connect.js';
import { startControlServer, type ControlServer } from './control.js';
import { startFeed, portInUse, type RunningFeed } from './feed.js';
import { invokerAudiences } from './invoker-audiences.js';
import { serviceSpecsOf, type ServiceSpec } from './service-specs.js';
import { startSupervisedCuratedRunner, type SupervisedCuratedRunner } from './supervised-runner.js';
import { startSupervisedService, type SupervisedService } from './supervised-service.js';
import {
  removeStackState,
  writeStackState,
  type ComponentState,
  type StackState,
} from './state-file.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StackPorts {
  /** @default 8085 */
  readonly pubsub?: number;
  /** Status page, JWKS, tokens. @default 8086 */
  readonly pubsubAdmin?: number;
  /** @default 9050 */
  readonly bigquery?: number;
  /** @default 8080 */
  readonly dashboard?: number;
  /** @default 8090 */
  readonly simulator?: number;
  /** The stack's control endpoint (pause/resume/collect). @default 8089 */
  readonly control?: number;
}

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
  runJob(name: string, env?: Record<string, string>): Promise<{ code: number; log: string }>;
  close(): Promise<void>;
}

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
}

const DEFAULT_PORTS: Required<StackPorts> = {
  pubsub: 8085,
  pubsubAdmin: 8086,
  bigquery: 9050,
  dashboard: 8080,
  simulator: 8090,
  control: 8089,
};

const FLAGS: Record<keyof StackPorts, string> = {
  pubsub: '--pubsub-port',
  pubsubAdmin: '--pubsub-admin-port',
  bigquery: '--bigquery-port',
  dashboard: '--dashboard-port',
  simulator: '--simulator-port',
  control: '--control-port',
};

function checkPortFree(port: number, flag: string, host = '127.0.0.1'): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? portInUse(port, flag) : error),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

/** The feed file a collector's FEED_URL names (`station_status.json`), served by our feed. */
function feedUrlFor(original: string | undefined, feed: RunningFeed): string | undefined {
  if (!original) return undefined;
  const file = original.split('?')[0]!.split('/').pop()!;
  return `${feed.baseUrl}/${file}`;
}

/**
 * The whole pipeline on one machine, provisioned from the rendered manifests: emulators →
 * services (one process each, configured from their Knative specs) → `reconcile` (push endpoints
 * mapped to the services' ports) → curated runner → scheduler → feed → dashboard → control endpoint.
 * Everything started is stopped by `close()`, in reverse order, also when start-up fails halfway.
 */
export async function startLocalStack(options: StackOptions = {}): Promise<RunningStack> {
  const root = options.root ?? REPO_ROOT;
  const envDir = path.resolve(root, options.envDir ?? 'clusters/local');
  const dataDir =
    options.dataDir === null ? null : path.resolve(options.dataDir ?? path.join(root, '.pmp'));
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const serviceHost = options.serviceHost ?? '127.0.0.1';
  const log = options.log ?? silentLogger();
  const progress = options.onProgress ?? (() => undefined);
  const speed = options.speed ?? 1;
  const clock = createSimClock({ speed, start: options.start });
  const cleanups: (() => Promise<void>)[] = [];
  // Aborted first thing in close(): a component that dies while the stack stops stays down.
  const shutdown = new AbortController();
  const close = async () => {
    shutdown.abort();
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log.warn({ err: error }, 'stop step failed');
      }
    }
    if (dataDir) removeStackState(dataDir);
  };

  try {
    for (const key of Object.keys(FLAGS) as (keyof StackPorts)[]) {
      if (key === 'dashboard' && options.dashboard === false) continue;
      if (key === 'simulator' && (options.feed ?? 'sim') === 'live') continue;
      await checkPortFree(ports[key], FLAGS[key], key === 'dashboard' ? serviceHost : undefined);
    }
    const manifests = readManifestDir(envDir);
    const projectId = projectOf(manifests) ?? 'pmp-local';
    if (dataDir) mkdirSync(path.join(dataDir, 'logs'), { recursive: true });

    progress('starting the Pub/Sub and BigQuery emulators');
    const emulators = await startEmulators({
      pubsubPort: ports.pubsub,
      pubsubAdminPort: ports.pubsubAdmin,
      bigqueryPort: ports.bigquery,
      dataDir: dataDir ?? undefined,
      log: log.child({ component: 'emulators' }),
    });
    cleanups.push(() => emulators.close());
    const env = {
      PUBSUB_EMULATOR_HOST: emulators.env.PUBSUB_EMULATOR_HOST!,
      BIGQUERY_EMULATOR_HOST: emulators.env.BIGQUERY_EMULATOR_HOST!,
      PUSH_JWKS_URL: emulators.env.PUSH_JWKS_URL!,
    };
    const { pubsub, bigquery } = clientsFor({
      pubsubHost: env.PUBSUB_EMULATOR_HOST,
      bigqueryUrl: env.BIGQUERY_EMULATOR_HOST,
      projectId,
    });
    cleanups.push(() => pubsub.close());

    const feed = await startFeed({
      feed: options.feed ?? 'sim',
      port: ports.simulator,
      seed: options.seed ?? 1,
      clock,
    });
    cleanups.push(() => feed.close());

    const { specs, skipped } = serviceSpecsOf(
      manifests.filter((m) => m.file.startsWith('cloud-run/')),
      root,
    );
    if (skipped.length > 0) log.warn({ skipped }, 'services without a local entry point');
    const jobs = schedulerJobsOf(
      manifests.filter((m) => m.file.startsWith('demo/')),
      projectId,
    );
    const audiences = invokerAudiences(
      jobs,
      specs.map((s) => s.name),
    );
    // What every process the stack starts gets, services and jobs alike.
    const processEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      // No Google metadata server here: skip the lookup (and its warning) in the clients.
      METADATA_SERVER_DETECTION: 'none',
    };
    const services = new Map<string, SupervisedService>();
    const serviceEnvOf = (spec: ServiceSpec, port: number): Record<string, string> => {
      const audience = audiences[spec.name];
      const merged: Record<string, string> = {
        ...processEnv,
        ...spec.env,
        ...env,
        PORT: String(port),
        HOST: serviceHost,
        // Cloud Run's invoker check, which only the service itself can do here.
        ...(audience ? { INVOKER_AUDIENCE: audience, INVOKER_JWKS_URL: env.PUSH_JWKS_URL } : {}),
      };
      const feedUrl = feedUrlFor(spec.env.FEED_URL, feed);
      if (feedUrl) merged.FEED_URL = feedUrl;
      return { ...merged, ...(options.serviceEnv?.[spec.name] ?? {}) };
    };
    const wantDashboard = options.dashboard ?? true;
    const toStart = specs.filter(
      (s) => s.kind === 'service' && (s.name !== 'pmp-dashboard' || wantDashboard),
    );
    progress(`starting ${toStart.length} services from clusters/local/cloud-run`);
    const started = await Promise.allSettled(
      toStart.map(async (spec) => {
        // Restarted with backoff when it dies, as Cloud Run would (restart-policy.ts).
        const service = await startSupervisedService({
          name: spec.name,
          entry: spec.entry,
          cwd: root,
          env: serviceEnvOf(spec, spec.name === 'pmp-dashboard' ? ports.dashboard : 0),
          logFile: path.join(dataDir ?? path.join(root, '.pmp'), 'logs', `${spec.name}.log`),
          log,
          stopRestarts: shutdown.signal,
        });
        services.set(spec.name, service);
        cleanups.push(() => service.stop());
        return service;
      }),
    );
    const failures = started
      .map((r, i) => ({ r, spec: toStart[i]! }))
      .filter((x) => x.r.status === 'rejected');
    const dashboardFailure = failures.find((f) => f.spec.name === 'pmp-dashboard');
    const fatal = failures.filter((f) => f.spec.name !== 'pmp-dashboard');
    if (fatal.length > 0) {
      throw new Error(
        fatal.map((f) => ((f.r as PromiseRejectedResult).reason as Error).message).join('\n'),
      );
    }
    if (dashboardFailure) {
      log.error(
        { err: (dashboardFailure.r as PromiseRejectedResult).reason },
        'dashboard failed to start',
      );
    }
    const serviceUrls = Object.fromEntries([...services].map(([name, s]) => [name, s.url]));

    progress(`reconciling ${path.relative(root, envDir) || envDir} into the emulators`);
    const plan = await reconcile({ dir: envDir, projectId, serviceUrls, pubsub, bigquery });

    const job = ofKind(manifests, 'DataflowFlexTemplateJob')[0]?.object.spec?.parameters as
      Record<string, string> | undefined;
    // The runner gets its own thread: the emulators keep this one busy (docs/PERFORMANCE.md, #8).
    const runnerOptions = {
      runner: {
        projectId,
        inputSubscription: job?.input_subscription ?? 'pmp-events-dataflow-sub',
        outputTable: job?.output_table ?? `${projectId}:pmp_curated.velib_station_status`,
        dlqTable: job?.dlq_table ?? `${projectId}:pmp_ops.velib_station_status_curated_dlq`,
        ...(options.runnerMaxMessages !== undefined
          ? { maxMessages: options.runnerMaxMessages }
          : {}),
        ...(options.runnerMaxWaitMs !== undefined ? { maxWaitMs: options.runnerMaxWaitMs } : {}),
      },
      pubsubHost: env.PUBSUB_EMULATOR_HOST,
      bigqueryUrl: env.BIGQUERY_EMULATOR_HOST,
      logger: log.child({ component: 'pmp-velib-curated' }),
      // The thread is restarted with backoff when it dies (restart-policy.ts).
      log,
      stopRestarts: shutdown.signal,
    };
    let runner: SupervisedCuratedRunner | undefined =
      await startSupervisedCuratedRunner(runnerOptions);
    let finished: CuratedStreamingStats = NO_CURATED_STATS;
    // What the runners so far curated: the stopped ones' totals plus the running one's.
    const curatedTotals = () => (runner ? addCuratedStats(finished, runner.stats()) : finished);
    cleanups.push(async () => {
      await runner?.stop();
    });

    const invoke = httpJobInvoker({
      serviceUrls: () => serviceUrls,
      mintIdToken: (request) => emulators.pubsub!.mintIdToken(request),
    });
    const scheduler =
      options.scheduler === false
        ? undefined
        : startScheduler({
            jobs,
            clock,
            invoke,
            log: log.child({ component: 'scheduler' }),
            paused: options.schedulerPaused ?? false,
          });
    if (scheduler) cleanups.push(() => scheduler.stop());

    const collectorJobs = jobs.filter(isCollectorJob);
    const collectNow = async (): Promise<Record<string, string>> => {
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
    };
    if (options.collectAtStart ?? true) {
      progress('collecting both feeds once');
      // Station information first, so the enriched views have names from the start.
      await collectNow();
    }

    const runJob = async (name: string, extra: Record<string, string> = {}) => {
      const spec = specs.find((s) => s.name === name && s.kind === 'job');
      if (!spec) throw new Error(`no Cloud Run Job ${name} in ${envDir}/cloud-run`);
      const logFile = path.join(dataDir ?? path.join(root, '.pmp'), 'logs', `${name}.log`);
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, ['--import', 'tsx', spec.entry], {
        cwd: root,
        env: { ...processEnv, ...spec.env, ...env, HOST: serviceHost, ...extra },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
      const { appendFileSync } = await import('node:fs');
      appendFileSync(logFile, output);
      return { code, log: output };
    };

    // The curated runner's state; the scheduler keeps its own, so either can be paused alone.
    let paused = false;
    const pauseScheduler = async () => {
      await scheduler?.pause();
    };
    const resumeScheduler = async () => {
      scheduler?.resume();
    };
    const pause = async () => {
      await pauseScheduler();
      if (paused) return;
      paused = true;
      if (runner) {
        await runner.stop();
        finished = curatedTotals();
        runner = undefined;
      }
    };
    const resume = async () => {
      await resumeScheduler();
      if (!paused) return;
      paused = false;
      runner = await startSupervisedCuratedRunner(runnerOptions);
    };

    const dashboard = services.get('pmp-dashboard');
    const components = (): ComponentState[] => {
      const pubsubStatus = emulators.pubsub!.status();
      const stats = curatedTotals();
      const list: ComponentState[] = [
        {
          name: 'Pub/Sub emulator',
          kind: 'emulator',
          url: env.PUBSUB_EMULATOR_HOST,
          status: 'running',
          detail: `${pubsubStatus.topics.length} topics, ${pubsubStatus.subscriptions.length} subscriptions; status page ${emulators.pubsub!.adminUrl}/`,
        },
        {
          name: 'BigQuery emulator',
          kind: 'emulator',
          url: env.BIGQUERY_EMULATOR_HOST,
          status: 'running',
          detail: dataDir
            ? `DuckDB in ${path.relative(process.cwd(), dataDir) || '.'}`
            : 'in memory',
        },
        {
          name: 'feed',
          kind: 'feed',
          url: `${feed.baseUrl}/station_status.json`,
          status: 'running',
          detail: feed.describe(),
        },
      ];
      for (const spec of toStart) {
        const service = services.get(spec.name);
        list.push({
          name: spec.name,
          kind: spec.name === 'pmp-dashboard' ? 'dashboard' : 'service',
          url: service ? service.url : null,
          status: service ? service.status() : 'failed to start (see logs)',
          detail: service?.detail(),
          ...(service ? { pid: service.pid, restarts: service.restarts() } : {}),
        });
      }
      list.push({
        name: 'pmp-velib-curated',
        kind: 'job',
        url: null,
        status: paused
          ? 'paused'
          : runner && runner.phase() !== 'running'
            ? runner.phase()
            : stats.lastError
              ? `running (last error: ${stats.lastError})`
              : 'running',
        detail: [
          `${stats.messagesAcked} snapshots → ${stats.rowsInserted} rows, ${stats.dlqInserted} DLQ`,
          runner?.describeRestarts() ?? '',
        ]
          .filter((part) => part !== '')
          .join('; '),
        ...(runner ? { restarts: runner.restarts() } : {}),
      });
      for (const s of scheduler?.status() ?? []) {
        list.push({
          name: s.name,
          kind: 'scheduler',
          url: null,
          status: s.paused ? 'paused' : 'scheduled',
          detail: `${s.schedule} ${s.timeZone}; ${s.runs} runs, ${s.failures} failed${
            s.nextRun ? `; next ${s.nextRun.slice(0, 16).replace('T', ' ')} UTC (simulated)` : ''
          }`,
        });
      }
      return list;
    };

    const control: ControlServer = await startControlServer({
      port: ports.control,
      handlers: {
        status: () => ({
          components: components(),
          runner: { ...curatedTotals(), paused },
          scheduler: scheduler?.status() ?? [],
          simulatedTime: new Date(clock.now()).toISOString(),
        }),
        pause,
        resume,
        pauseScheduler,
        resumeScheduler,
        collect: collectNow,
        runJob: (name, extra) => runJob(name, extra),
      },
    });
    cleanups.push(() => control.close());

    const state: StackState = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      projectId,
      dataDir: dataDir ?? '',
      speed,
      feed: feed.kind,
      env,
      pubsubAdminUrl: emulators.pubsub!.adminUrl,
      serviceUrls,
      controlUrl: control.url,
      components: components(),
    };
    if (dataDir) writeStackState(state);

    return {
      projectId,
      clock,
      emulators,
      feed,
      scheduler,
      pubsub,
      bigquery,
      env,
      serviceUrls,
      serviceProcesses: () =>
        [...services.values()]
          .filter((s) => s.status() === 'running')
          .map((s) => ({ name: s.name, pid: s.pid, port: s.port, url: s.url })),
      dashboardUrl: dashboard?.url.replace('127.0.0.1', 'localhost') ?? null,
      controlUrl: control.url,
      plan: plan.changes,
      components,
      runnerStats: () => ({ ...curatedTotals(), paused }),
      pause,
      resume,
      pauseScheduler,
      resumeScheduler,
      collectNow,
      runJob,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
