import { BigQuery } from '@google-cloud/bigquery';
import type { Lifecycle } from '../shared/health.js';
import { createLogger, type Logger } from '../../runtime/logger.js';
import { serve } from '../shared/serve.js';
import { createDashboardApp } from './app.js';

export { createDashboardApp, type DashboardDeps } from './app.js';
export { loadDashboardSettings, type DashboardSettings } from './config.js';

export interface DashboardOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** See `ServeOptions.host`. @default every interface */
  readonly host?: string;
  readonly projectId: string;
  /** @default 'pmp_marts' */
  readonly martsDataset?: string;
  /** A client to use; by default one is built (it honours BIGQUERY_EMULATOR_HOST). */
  readonly bigquery?: BigQuery;
  readonly cacheMs?: number;
  readonly log?: Logger;
  /** In-flight requests' grace period on close. @default 2000 */
  readonly drainMs?: number;
  /** Install SIGTERM/SIGINT handlers (only a process of its own should). @default false */
  readonly handleSignals?: boolean;
  /** See `ServeOptions.stackPid`. */
  readonly stackPid?: number;
}

export interface RunningDashboard {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the dashboard in this process, for the local stack and tests. */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const log = options.log ?? createLogger({ name: 'pmp-dashboard' });
  const lifecycle: Lifecycle = { draining: false };
  const bigquery = options.bigquery ?? new BigQuery({ projectId: options.projectId });
  const app = createDashboardApp({
    bigquery,
    log,
    lifecycle,
    martsDataset: options.martsDataset,
    cacheMs: options.cacheMs,
  });
  const running = await serve(app, {
    port: options.port,
    host: options.host,
    log,
    lifecycle,
    drainMs: options.drainMs ?? 2_000,
    handleSignals: options.handleSignals ?? false,
    stackPid: options.stackPid,
  });
  return { url: running.url, port: running.port, close: running.close };
}
