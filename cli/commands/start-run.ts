// Loaded only when `pmp start` runs (start.ts imports it inside its action, cli/README.md), so it
// imports what it runs on at its top.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { formatPlan } from '../../local/reconcile/plan.js';
import { exposureWarning } from '../../local/stack/exposure.js';
import { formatTable } from '../../local/stack/format-table.js';
import { startLocalStack, type RunningStack } from '../../local/stack/stack.js';
import { createLogger, type Logger } from '../../runtime/logger.js';
import type { StartFlags } from './start.js';

/** A start-up step's line, printed on stderr. */
type Progress = (line: string) => void;

/** Each line prefixed with the seconds since `t0`. */
function progressSince(t0: number): Progress {
  return (line) =>
    process.stderr.write(`  ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${line}\n`);
}

/** Starts the stack, says what runs where and what to try, and stops it on Ctrl-C. */
export async function runStart(flags: StartFlags): Promise<void> {
  const dataDir = path.resolve(flags.dataDir);
  const { log, logFile } = openStackLog(dataDir);
  const say = progressSince(Date.now());
  process.stderr.write(
    `Starting Paris Mobility Pulse locally (logs: ${path.relative(process.cwd(), logFile)})\n`,
  );
  // A Ctrl-C during start-up is held until the stack is up, then delivered, so close() runs.
  let interrupted = false;
  const early = () => (interrupted = true);
  process.once('SIGINT', early);
  const stack = await startStack(flags, dataDir, log, say);
  process.off('SIGINT', early);
  reportReady(stack, flags, log, say);
  process.stdout.write(`${nextSteps(stack, flags, dataDir).join('\n')}\n`);
  if (interrupted) process.kill(process.pid, 'SIGINT');
  await stopOnSignal(stack);
}

/** The stack's logger, writing to `<dataDir>/logs/stack.log`. */
function openStackLog(dataDir: string): { log: Logger; logFile: string } {
  mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
  const logFile = path.join(dataDir, 'logs', 'stack.log');
  const log = createLogger({
    name: 'pmp-stack',
    destination: pino.destination({ dest: logFile, sync: false, mkdir: true }),
  });
  return { log, logFile };
}

function startStack(
  flags: StartFlags,
  dataDir: string,
  log: Logger,
  onProgress: Progress,
): Promise<RunningStack> {
  return startLocalStack({
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
    onProgress,
  });
}

/** What the reconcile changed, every component and where it runs, and a warning when exposed. */
function reportReady(stack: RunningStack, flags: StartFlags, log: Logger, say: Progress): void {
  const changed = stack.plan.filter((c) => c.action !== 'unchanged');
  say(`ready (reconcile: ${changed.length === 0 ? 'no changes' : `${changed.length} changes`})`);
  if (changed.length > 0 && changed.length < stack.plan.length) {
    process.stderr.write(formatPlan(stack.plan));
  }
  const rows = stack.components().map((c) => [c.name, c.url ?? '—', c.status, c.detail ?? '']);
  process.stdout.write(`\n${formatTable(['component', 'where', 'status', 'detail'], rows)}\n`);
  const exposed = stack.serviceProcesses();
  const warning = exposureWarning(flags.host, exposed);
  if (warning) {
    log.warn({ host: flags.host, services: exposed }, 'services reachable beyond loopback');
    process.stderr.write(`\n${warning}\n`);
  }
}

/** The "What to try next" lines, without two blank lines in a row. */
function nextSteps(stack: RunningStack, flags: StartFlags, dataDir: string): string[] {
  type Step = readonly [command: string, what: string];
  const when = (condition: boolean, ...steps: Step[]): Step[] => (condition ? steps : []);
  const steps: Step[] = [
    ...when(Boolean(stack.dashboardUrl), [
      `open ${stack.dashboardUrl}`,
      'the dashboard (marts, refreshed live)',
    ]),
    ['npx pmp status', 'backlog, rows per table, DLQ counts, freshness'],
    ...when(
      !flags.collect,
      ['npx pmp replay DIR', 'backfill: the scheduler is paused, only the replay lands'],
      ['npx pmp demo up --local', 'start collecting when the backfill is done'],
    ),
    ['npx pmp demo collect --local', 'collect both feeds now'],
    ['npx pmp demo down --local', 'pause the scheduler and the curated job (up resumes)'],
    [`open ${stack.emulators.pubsub!.adminUrl}/`, 'the Pub/Sub emulator status page'],
    ...when(flags.speed === 1, ['npm start -- --speed 60', 'one simulated hour per real minute']),
  ];
  const width = Math.max(...steps.map(([command]) => command.length)) + 3;
  return [
    '',
    'What to try next:',
    ...steps.map(([command, what]) => `  ${command.padEnd(width)}${what}`),
    '',
    `Ctrl-C stops everything (data stays in ${path.relative(process.cwd(), dataDir) || '.'}/).`,
    '',
  ];
}

/** Waits for SIGINT or SIGTERM, then closes the stack; a second Ctrl-C exits at once. */
async function stopOnSignal(stack: RunningStack): Promise<void> {
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
}
