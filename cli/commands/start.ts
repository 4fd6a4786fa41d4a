import { InvalidArgumentError, type Command } from 'commander';
import { StructError, create } from 'superstruct';
import { ListenHost } from '../../services/shared/env.js';
import { cliAction } from '../../local/stack/cli-action.js';

const port = (flag: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag}: not a port: ${value}`);
  return n;
};
const positive = (flag: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a number above 0: ${value}`);
  return n;
};

const listenHost = (value: string) => {
  try {
    const host = create(value, ListenHost);
    if (host !== undefined) return host;
  } catch (error) {
    if (!(error instanceof StructError)) throw error;
  }
  throw new InvalidArgumentError('not an IP address or host name');
};

export interface StartFlags {
  feed: string;
  speed: number;
  dataDir: string;
  seed: number;
  pubsubPort: number;
  pubsubAdminPort: number;
  bigqueryPort: number;
  dashboardPort: number;
  simulatorPort: number;
  controlPort: number;
  host: string;
  dashboard: boolean;
  collect: boolean;
}

/** `pmp start` (= `npm start`): the whole pipeline on this machine until Ctrl-C. */
export function registerStart(program: Command): void {
  const start = program
    .command('start')
    .description(
      'run the whole pipeline locally: emulators provisioned from clusters/local, services, curated runner, scheduler, feed, dashboard',
    );
  addRunOptions(start);
  addPortOptions(start);
  addServiceOptions(start);
  start.action(
    cliAction('start', async (flags: StartFlags) => {
      const { runStart } = await import('./start-run.js');
      await runStart(flags);
    }),
  );
}

function addRunOptions(start: Command): void {
  start
    .option(
      '--feed <sim|live|dir>',
      'feed: the simulator, the real Vélib URLs, or a folder of recorded station_status files',
      'sim',
    )
    .option(
      '--speed <n>',
      'simulated time and the scheduler run n times faster',
      positive('--speed'),
      1,
    )
    .option(
      '--data-dir <dir>',
      'emulator data, logs and stack.json (a restart keeps the data)',
      '.pmp',
    )
    .option('--seed <n>', 'simulator seed', (v) => Math.trunc(Number(v)), 1);
}

function addPortOptions(start: Command): void {
  start
    .option('--pubsub-port <port>', 'Pub/Sub emulator gRPC port', port('--pubsub-port'), 8085)
    .option(
      '--pubsub-admin-port <port>',
      'Pub/Sub status page, JWKS and token port',
      port('--pubsub-admin-port'),
      8086,
    )
    .option('--bigquery-port <port>', 'BigQuery emulator port', port('--bigquery-port'), 9050)
    .option('--dashboard-port <port>', 'dashboard port', port('--dashboard-port'), 8080)
    .option(
      '--simulator-port <port>',
      'feed simulator (or recorded feed) port',
      port('--simulator-port'),
      8090,
    )
    .option(
      '--control-port <port>',
      'the stack control endpoint (pmp demo --local)',
      port('--control-port'),
      8089,
    );
}

function addServiceOptions(start: Command): void {
  start
    .option(
      '--host <addr>',
      'address every service (dashboard, writers, collectors) listens on; anything but loopback ' +
        'exposes them to the network, the dashboard without authentication, and prints which ' +
        'URLs become reachable (emulators, feed and control endpoint stay on 127.0.0.1)',
      listenHost,
      '127.0.0.1',
    )
    .option('--no-dashboard', 'do not start the dashboard')
    .option(
      '--no-collect',
      'backfill mode: no collection at start and the scheduler paused, so only what `pmp replay` publishes lands (pmp demo up --local resumes the scheduler)',
    );
}
