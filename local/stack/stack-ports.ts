import { createServer } from 'node:net';
import { listen } from './feed.js';

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

export const DEFAULT_PORTS: Required<StackPorts> = {
  pubsub: 8085,
  pubsubAdmin: 8086,
  bigquery: 9050,
  dashboard: 8080,
  simulator: 8090,
  control: 8089,
};

/** The `pmp start` flag that changes each port, named when the port is busy. */
const FLAGS: Record<keyof StackPorts, string> = {
  pubsub: '--pubsub-port',
  pubsubAdmin: '--pubsub-admin-port',
  bigquery: '--bigquery-port',
  dashboard: '--dashboard-port',
  simulator: '--simulator-port',
  control: '--control-port',
};

async function checkPortFree(port: number, flag: string, host?: string): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  await listen(server, port, flag, host);
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Refuses a busy port before anything starts, naming the port and the flag that changes it. The
 * dashboard is checked on the address it will listen on; ports of what will not start (no
 * dashboard, a live feed) are not checked.
 */
export async function checkPortsFree(
  ports: Required<StackPorts>,
  options: { dashboard: boolean; feed: string; serviceHost: string },
): Promise<void> {
  for (const key of Object.keys(FLAGS) as (keyof StackPorts)[]) {
    if (key === 'dashboard' && !options.dashboard) continue;
    if (key === 'simulator' && options.feed === 'live') continue;
    await checkPortFree(
      ports[key],
      FLAGS[key],
      key === 'dashboard' ? options.serviceHost : undefined,
    );
  }
}
