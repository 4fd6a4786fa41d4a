import path from 'node:path';
import { SERVICES } from '../../core/resource-names.js';
import type { Logger } from '../../runtime/logger.js';
import type { RunningFeed } from './feed.js';
import type { ServiceSpec } from './service-specs.js';
import type { StackState } from './state-file.js';
import { startSupervisedService, type SupervisedService } from './supervised-service.js';

/** The emulator host variables every process of the stack gets (`stack.json` publishes them too). */
export type EmulatorEnv = StackState['env'];

/** What every process the stack starts gets, services and jobs alike. */
export function baseProcessEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    // No Google metadata server here: skip the lookup (and its warning) in the clients.
    METADATA_SERVER_DETECTION: 'none',
  };
}

/** `<dataDir>/logs/<name>.log`, `<root>/.pmp/logs` when the stack keeps no data dir. */
export function logFileOf(dataDir: string | null, root: string, name: string): string {
  return path.join(dataDir ?? path.join(root, '.pmp'), 'logs', `${name}.log`);
}

/** The feed file a collector's FEED_URL names (`station_status.json`), served by our feed. */
function feedUrlFor(original: string | undefined, feed: RunningFeed): string | undefined {
  if (!original) return undefined;
  const file = original.split('?')[0]!.split('/').pop()!;
  return `${feed.baseUrl}/${file}`;
}

/** The Cloud Run services the stack starts: every one in the manifests, the dashboard when wanted. */
export function servicesToStart(specs: readonly ServiceSpec[], dashboard: boolean): ServiceSpec[] {
  return specs.filter((s) => s.kind === 'service' && (s.name !== SERVICES.dashboard || dashboard));
}

export interface StackServicesOptions {
  /** What {@link servicesToStart} chose. */
  readonly wanted: readonly ServiceSpec[];
  /** Cloud Run service name → the audience its scheduler jobs' tokens carry (invoker-audiences.ts). */
  readonly audiences: Readonly<Record<string, string>>;
  readonly emulatorEnv: EmulatorEnv;
  readonly feed: RunningFeed;
  /** Every service's `HOST`. */
  readonly serviceHost: string;
  /** The dashboard's port; the others listen on any free port. */
  readonly dashboardPort: number;
  /** Extra environment for one service, by name. */
  readonly serviceEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly root: string;
  readonly dataDir: string | null;
  readonly log: Logger;
  /** Once aborted, a service that dies stays down. */
  readonly stopRestarts: AbortSignal;
  /** Called with each service as soon as it listens, so a failed start-up still stops it. */
  readonly onStarted: (service: SupervisedService) => void;
}

export interface StackServices {
  /** The services the stack tried to start, in manifest order (a failed dashboard among them). */
  readonly wanted: readonly ServiceSpec[];
  /** The ones that started, by name. */
  readonly running: ReadonlyMap<string, SupervisedService>;
  /** Name → URL of each running service. */
  readonly urls: Readonly<Record<string, string>>;
}

/** A service's environment: its spec's, the emulators', where to listen, its invoker check, our feed. */
function serviceEnvOf(
  spec: ServiceSpec,
  port: number,
  processEnv: Record<string, string>,
  options: StackServicesOptions,
): Record<string, string> {
  const audience = options.audiences[spec.name];
  const merged: Record<string, string> = {
    ...processEnv,
    ...spec.env,
    ...options.emulatorEnv,
    PORT: String(port),
    HOST: options.serviceHost,
    // Cloud Run's invoker check, which only the service itself can do here.
    ...(audience
      ? { INVOKER_AUDIENCE: audience, INVOKER_JWKS_URL: options.emulatorEnv.PUSH_JWKS_URL }
      : {}),
  };
  const feedUrl = feedUrlFor(spec.env.FEED_URL, options.feed);
  if (feedUrl) merged.FEED_URL = feedUrl;
  return { ...merged, ...(options.serviceEnv?.[spec.name] ?? {}) };
}

/**
 * Every Cloud Run service as its own process, configured from its Knative spec, all at once. A
 * service that fails to start fails the stack, except the dashboard: that is logged and the
 * pipeline runs without it.
 */
export async function startStackServices(options: StackServicesOptions): Promise<StackServices> {
  const { wanted } = options;
  const running = new Map<string, SupervisedService>();
  const processEnv = baseProcessEnv();
  const started = await Promise.allSettled(
    wanted.map(async (spec) => {
      // Restarted with backoff when it dies, as Cloud Run would (restart-policy.ts).
      const service = await startSupervisedService({
        name: spec.name,
        entry: spec.entry,
        cwd: options.root,
        env: serviceEnvOf(
          spec,
          spec.name === SERVICES.dashboard ? options.dashboardPort : 0,
          processEnv,
          options,
        ),
        logFile: logFileOf(options.dataDir, options.root, spec.name),
        log: options.log,
        stopRestarts: options.stopRestarts,
      });
      running.set(spec.name, service);
      options.onStarted(service);
      return service;
    }),
  );
  reportFailures(started, wanted, options.log);
  const urls = Object.fromEntries([...running].map(([name, s]) => [name, s.url]));
  return { wanted, running, urls };
}

/** Throws every failed start's message but the dashboard's, which is logged. */
function reportFailures(
  started: readonly PromiseSettledResult<unknown>[],
  wanted: readonly ServiceSpec[],
  log: Logger,
): void {
  const failures = started
    .map((result, i) => ({ result, spec: wanted[i]! }))
    .filter(
      (x): x is { result: PromiseRejectedResult; spec: ServiceSpec } =>
        x.result.status === 'rejected',
    );
  const fatal = failures.filter((f) => f.spec.name !== SERVICES.dashboard);
  if (fatal.length > 0) {
    throw new Error(fatal.map((f) => (f.result.reason as Error).message).join('\n'));
  }
  const dashboardFailure = failures.find((f) => f.spec.name === SERVICES.dashboard);
  if (dashboardFailure) {
    log.error({ err: dashboardFailure.result.reason }, 'dashboard failed to start');
  }
}
