// Loaded only when `pmp replay` runs (replay.ts imports it inside its action, cli/README.md), so
// it imports what it runs on at its top.
import cliProgress from 'cli-progress';
import { SUBSCRIPTIONS } from '../../core/resource-names.js';
import {
  assertRecordingFlags,
  emulatorBacklog,
  formatReplaySummary,
  replayRecording,
  waitForDrain,
} from '../../local/replay/index.js';
import { assertReachable, clientsFor, resolveTarget } from '../../local/stack/connect.js';
import { collectStackStatus, formatTableRows } from '../../local/stack/status.js';
import type { ReplayFlags } from './replay.js';

/** The subscriptions through which snapshots land in the tables the replay checks. */
const WRITER_SUBSCRIPTIONS = [SUBSCRIPTIONS.eventsToBq, SUBSCRIPTIONS.stationInfoToBq];

/** Publishes the recording, reports what landed, waits for the pipeline, prints the tables. */
export async function runReplay(input: string, flags: ReplayFlags): Promise<void> {
  assertRecordingFlags({
    format: flags.format,
    stationsFile: flags.stations,
    timeFromName: flags.timeFromName,
  });
  const target = resolveTarget({ dataDir: flags.dataDir });
  await assertReachable(target);
  const { pubsub, bigquery } = clientsFor(target);
  const bar = snapshotBar();
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
      await waitForCatchUp(target.pubsubAdminUrl, started);
    }
    const status = await collectStackStatus({ dataDir: flags.dataDir });
    process.stdout.write(`${formatTableRows(status.tables)}\n`);
  } finally {
    bar.stop();
    await pubsub.close();
  }
}

function snapshotBar(): cliProgress.SingleBar {
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
async function waitForCatchUp(pubsubAdminUrl: string, started: number): Promise<void> {
  process.stderr.write('waiting for the pipeline to catch up…\n');
  await waitForDrain(pubsubAdminUrl, [SUBSCRIPTIONS.eventsDataflow, ...WRITER_SUBSCRIPTIONS]);
  process.stderr.write(`caught up after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** Moves `bar` to each report, started on the first one (which brings the total). */
function showProgress(bar: cliProgress.SingleBar, started: number) {
  let barStarted = false;
  return ({ done, total }: { done: number; total: number }): void => {
    if (!barStarted) bar.start(total, 0, { rate: '0.0' });
    barStarted = true;
    bar.update(done, {
      rate: (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1),
    });
  };
}
