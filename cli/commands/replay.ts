import type * as CliProgress from 'cli-progress';
import type { Command } from 'commander';
import { SUBSCRIPTIONS } from '../../core/resource-names.js';
import type { RecordingFormat, waitForDrain } from '../../local/replay/index.js';
import { cliAction } from '../../local/stack/cli-action.js';

interface ReplayFlags {
  rate?: number;
  dataDir: string;
  wait: boolean;
  format: RecordingFormat;
  stations?: string;
  timeFromName?: boolean;
  force?: boolean;
}

/** The subscriptions through which snapshots land in the tables the replay checks. */
const WRITER_SUBSCRIPTIONS = [SUBSCRIPTIONS.eventsToBq, SUBSCRIPTIONS.stationInfoToBq];

const FORMATS_HELP = `
Formats:
  gbfs (default)  Vélib or standard GBFS feed files. In a folder, only *.json files whose name
                  contains station_status or station_information are read (station information
                  first, then name order); the event type comes from the name (one file given
                  without either is a station_status snapshot).
  opendata        City of Paris exports of dataset velib-disponibilite-en-temps-reel (a JSON
                  array of records, stationcode, numbikesavailable, … "OUI"/"NON", duedate): every
                  *.json file of the folder becomes one station_status snapshot; station ids come
                  from --stations (matched by stationCode); records whose code is not in it are
                  counted and listed, never dropped silently.

Snapshot time:
  gbfs      ingest_ts = a UTC time in the file name (…2025-10-18T09-10-00Z… or …T09:10:00Z…),
            else the document's lastUpdatedOther / last_updated; event_ts = the document's time,
            else ingest_ts. A file with neither is refused.
  opendata  the file name's time with --time-from-name, else the newest duedate in the file.

Re-running: snapshots already in the warehouse (same event type and event_ts in
pmp_raw.velib_station_status_raw, or in pmp_curated.velib_station_information for station
information) are skipped and counted, so an interrupted replay can simply be run again; --force
publishes them anyway. Backfilling history: start the stack with \`pmp start --no-collect\`.
`;

/** `pmp replay DIR|FILE`: publish a recording into the running pipeline. */
export function registerReplay(program: Command): void {
  const replay = program
    .command('replay')
    .description(
      'publish recorded snapshots (simulator exports, saved Vélib files or open-data exports) with their own timestamps into the local pipeline, skipping what already landed, then wait for it to catch up',
    )
    .argument('<input>', 'a folder of recorded files, or one file (see Formats)');
  addRecordingOptions(replay);
  addRunOptions(replay);
  replay.addHelpText('after', FORMATS_HELP).action(cliAction('replay', runReplay));
}

/** What the recording is and which of its snapshots to publish. */
function addRecordingOptions(replay: Command): void {
  replay
    .option(
      '--format <gbfs|opendata>',
      'what the files are (see Formats)',
      (v) => {
        if (v !== 'gbfs' && v !== 'opendata')
          throw new Error(`--format must be gbfs or opendata: ${v}`);
        return v;
      },
      'gbfs',
    )
    .option(
      '--stations <file>',
      'with --format opendata: the station_information.json giving station ids',
    )
    .option(
      '--time-from-name',
      'with --format opendata: snapshot time from the file name, not the newest duedate',
    )
    .option('--force', 'publish snapshots that already landed too (duplicates their rows)');
}

/** How fast to publish, into which stack, and whether to wait for it. */
function addRunOptions(replay: Command): void {
  replay
    .option(
      '--rate <n>',
      'snapshots per second (default: as fast as the pipeline takes them)',
      (v) => {
        const n = Number(v);
        if (!(n > 0)) throw new Error(`--rate must be above 0: ${v}`);
        return n;
      },
    )
    .option('--data-dir <dir>', 'data dir of the running `pmp start`', '.pmp')
    .option('--no-wait', 'do not wait for the curated runner to catch up');
}

async function runReplay(input: string, flags: ReplayFlags): Promise<void> {
  const {
    assertRecordingFlags,
    emulatorBacklog,
    formatReplaySummary,
    replayRecording,
    waitForDrain,
  } = await import('../../local/replay/index.js');
  const { assertReachable, clientsFor, resolveTarget } =
    await import('../../local/stack/connect.js');
  const { collectStackStatus, formatTableRows } = await import('../../local/stack/status.js');
  const { default: cliProgress } = await import('cli-progress');
  assertRecordingFlags({
    format: flags.format,
    stationsFile: flags.stations,
    timeFromName: flags.timeFromName,
  });
  const target = resolveTarget({ dataDir: flags.dataDir });
  await assertReachable(target);
  const { pubsub, bigquery } = clientsFor(target);
  const bar = snapshotBar(cliProgress);
  const started = Date.now();
  try {
    const result = await replayRecording({
      input,
      pubsub,
      bigquery,
      format: flags.format,
      stationsFile: flags.stations,
      timeFromName: flags.timeFromName,
      force: flags.force,
      untilLanded: () => waitForDrain(target.pubsubAdminUrl, WRITER_SUBSCRIPTIONS, 120_000),
      rate: flags.rate,
      backlog: emulatorBacklog(target.pubsubAdminUrl, SUBSCRIPTIONS.eventsDataflow),
      onProgress: showProgress(bar, started),
    });
    bar.stop();
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`${formatReplaySummary(result, seconds).join('\n')}\n`);
    if (flags.wait && result.published > 0) {
      await waitForCatchUp(waitForDrain, target.pubsubAdminUrl, started);
    }
    const status = await collectStackStatus({ dataDir: flags.dataDir });
    process.stdout.write(`${formatTableRows(status.tables)}\n`);
  } finally {
    bar.stop();
    await pubsub.close();
  }
}

function snapshotBar(
  cliProgress: Pick<typeof CliProgress, 'SingleBar' | 'Presets'>,
): CliProgress.SingleBar {
  return new cliProgress.SingleBar(
    {
      format: 'replay [{bar}] {value}/{total} snapshots | {rate}/s | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
}

/** Waits until the curated runner and the writers have taken every snapshot published. */
async function waitForCatchUp(
  drain: typeof waitForDrain,
  pubsubAdminUrl: string,
  started: number,
): Promise<void> {
  process.stderr.write('waiting for the pipeline to catch up…\n');
  await drain(pubsubAdminUrl, [SUBSCRIPTIONS.eventsDataflow, ...WRITER_SUBSCRIPTIONS]);
  process.stderr.write(`caught up after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** Moves `bar` to each report, started on the first one (which brings the total). */
function showProgress(bar: CliProgress.SingleBar, started: number) {
  let barStarted = false;
  return ({ done, total }: { done: number; total: number }): void => {
    if (!barStarted) bar.start(total, 0, { rate: '0.0' });
    barStarted = true;
    bar.update(done, {
      rate: (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1),
    });
  };
}
