import type { Command } from 'commander';
import type { RecordingFormat } from '../../local/replay/index.js';
import { cliAction } from '../../local/stack/cli-action.js';

export interface ReplayFlags {
  rate?: number;
  dataDir: string;
  wait: boolean;
  format: RecordingFormat;
  stations?: string;
  timeFromName?: boolean;
  force?: boolean;
}

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
  replay.addHelpText('after', FORMATS_HELP).action(
    cliAction('replay', async (input: string, flags: ReplayFlags) => {
      const { runReplay } = await import('./replay-run.js');
      await runReplay(input, flags);
    }),
  );
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
