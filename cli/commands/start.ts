import { mkdirSync } from 'node:fs';
import path from 'node:path';
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

interface StartFlags {
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
  program
    .command('start')
    .description(
      'run the whole pipeline locally: emulators provisioned from clusters/local, services, curated runner, scheduler, feed, dashboard',
    )
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
    .option('--seed <n>', 'simulator seed', (v) => Math.trunc(Number(v)), 1)
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
    )
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
    )
    .action(
      cliAction('start', async (flags: StartFlags) => {
        const { default: pino } = await import('pino');
        const { createLogger } = await import('../../runtime/logger.js');
        const { startLocalStack } = await import('../../local/stack/stack.js');
        const { formatPlan } = await import('../../local/reconcile/plan.js');
        const { exposureWarning } = await import('../../local/stack/exposure.js');
        const { formatTable } = await import('../../local/stack/format-table.js');
        const dataDir = path.resolve(flags.dataDir);
        mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
        const logFile = path.join(dataDir, 'logs', 'stack.log');
        const log = createLogger({
          name: 'pmp-stack',
          destination: pino.destination({ dest: logFile, sync: false, mkdir: true }),
        });
        const t0 = Date.now();
        const say = (line: string) =>
          process.stderr.write(
            `  ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${line}\n`,
          );
        process.stderr.write(
          `Starting Paris Mobility Pulse locally (logs: ${path.relative(process.cwd(), logFile)})\n`,
        );
        let interrupted = false;
        const early = () => (interrupted = true);
        process.once('SIGINT', early);
        const stack = await startLocalStack({
          feed: flags.feed,
          speed: flags.speed,
          seed: flags.seed,
          dataDir,
          dashboard: flags.dashboard,
          serviceHost: flags.host,
          collectAtStart: flags.collect,
          schedulerPaused: !flags.collect,
          ports: {
            pubsub: flags.pubsubPort,
            pubsubAdmin: flags.pubsubAdminPort,
            bigquery: flags.bigqueryPort,
            dashboard: flags.dashboardPort,
            simulator: flags.simulatorPort,
            control: flags.controlPort,
          },
          log,
          onProgress: say,
        });
        process.off('SIGINT', early);
        const changed = stack.plan.filter((c) => c.action !== 'unchanged');
        say(
          `ready (reconcile: ${changed.length === 0 ? 'no changes' : `${changed.length} changes`})`,
        );
        if (changed.length > 0 && changed.length < stack.plan.length) {
          process.stderr.write(formatPlan(stack.plan));
        }
        const rows = stack
          .components()
          .map((c) => [c.name, c.url ?? '—', c.status, c.detail ?? '']);
        process.stdout.write(
          `\n${formatTable(['component', 'where', 'status', 'detail'], rows)}\n`,
        );
        const exposed = stack.serviceProcesses();
        const warning = exposureWarning(flags.host, exposed);
        if (warning) {
          log.warn({ host: flags.host, services: exposed }, 'services reachable beyond loopback');
          process.stderr.write(`\n${warning}\n`);
        }
        const lines = [
          '',
          'What to try next:',
          ...(stack.dashboardUrl
            ? [`  open ${stack.dashboardUrl}            the dashboard (marts, refreshed live)`]
            : []),
          '  npx pmp status                    backlog, rows per table, DLQ counts, freshness',
          ...(flags.collect
            ? []
            : [
                '  npx pmp replay DIR                backfill: the scheduler is paused, only the replay lands',
                '  npx pmp demo up --local           start collecting when the backfill is done',
              ]),
          '  npx pmp demo collect --local      collect both feeds now',
          '  npx pmp demo down --local         pause the scheduler and the curated job (up resumes)',
          `  ${stack.emulators.pubsub!.adminUrl}/   Pub/Sub emulator status page`,
          flags.speed === 1
            ? '  npm start -- --speed 60           one simulated hour per real minute'
            : '',
          '',
          'Ctrl-C stops everything (data stays in ' +
            (path.relative(process.cwd(), dataDir) || '.') +
            '/).',
          '',
        ].filter((l, i, all) => l !== '' || all[i - 1] !== '');
        process.stdout.write(`${lines.join('\n')}\n`);
        if (interrupted) process.kill(process.pid, 'SIGINT');
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          process.once('SIGINT', () => resolve('SIGINT'));
          process.once('SIGTERM', () => resolve('SIGTERM'));
        });
        process.stderr.write(`\n${signal}: stopping (Ctrl-C again forces)…\n`);
        process.once('SIGINT', () => process.exit(130));
        const stats = stack.runnerStats();
        await stack.close();
        process.stderr.write(
          `stopped. This run: ${stats.messagesAcked} snapshots curated into ${stats.rowsInserted} rows.\n`,
        );
      }),
    );
}
