import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { cliAction } from '../../local/stack/cli-action.js';
import { assertReachable, clientsFor, resolveTarget } from '../../local/stack/connect.js';
import { collectStackStatus, formatTableRows } from '../../local/stack/status.js';
import {
  emulatorBacklog,
  listRecording,
  readRecordedFile,
  replaySnapshots,
  waitForDrain,
} from '../../local/replay/index.js';

interface ReplayFlags {
  rate?: number;
  dataDir: string;
  wait: boolean;
}

/** `pmp replay DIR|FILE`: publish a recording into the running pipeline. */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description(
      'publish recorded snapshots (simulator exports or saved Vélib files) with their own timestamps into the local pipeline, then wait for it to catch up',
    )
    .argument('<input>', 'a folder of station_status*/station_information* files, or one file')
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
    .option('--no-wait', 'do not wait for the curated runner to catch up')
    .action(
      cliAction('replay', async (input: string, flags: ReplayFlags) => {
        const files = listRecording(input);
        const target = resolveTarget({ dataDir: flags.dataDir });
        await assertReachable(target);
        const { pubsub } = clientsFor(target);
        const bar = new cliProgress.SingleBar(
          {
            format: 'replay [{bar}] {value}/{total} snapshots | {rate}/s | ETA {eta_formatted}',
            stream: process.stderr,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        const started = Date.now();
        bar.start(files.length, 0, { rate: '0.0' });
        try {
          const result = await replaySnapshots({
            pubsub,
            total: files.length,
            snapshots: (function* () {
              for (const file of files) yield readRecordedFile(file);
            })(),
            rate: flags.rate,
            backlog: emulatorBacklog(target.pubsubAdminUrl, 'pmp-events-dataflow-sub'),
            onProgress: ({ published }) =>
              bar.update(published, {
                rate: (published / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1),
              }),
          });
          bar.stop();
          process.stderr.write(
            `published ${result.published} snapshots (${Object.entries(result.byTopic)
              .map(([t, n]) => `${t}: ${n}`)
              .join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
          );
          if (flags.wait) {
            process.stderr.write('waiting for the pipeline to catch up…\n');
            await waitForDrain(target.pubsubAdminUrl, [
              'pmp-events-dataflow-sub',
              'pmp-events-to-bq-sub',
              'pmp-velib-station-info-to-bq-sub',
            ]);
            process.stderr.write(
              `caught up after ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
            );
          }
          const status = await collectStackStatus({ dataDir: flags.dataDir });
          process.stdout.write(`${formatTableRows(status.tables)}\n`);
        } finally {
          bar.stop();
          await pubsub.close();
        }
      }),
    );
}
