import { InvalidArgumentError, type Command } from 'commander';
import {
  curateFile,
  CurateFileError,
  defaultFileModeWorkers,
  MAX_FILE_MODE_WORKERS,
  MIN_BYTES_PER_WORKER,
  type CurateFileSummary,
} from '../../beam/file-mode/file-mode.js';
import { RUNNER_NAMES, type RunnerName } from '../../beam/portable/runner-names.js';
import { ToolchainError } from '../../beam/portable/toolchain-cache.js';

interface CurateFlags {
  input?: string;
  output?: string;
  dlq?: string;
  workers?: number;
  runner: RunnerName;
  stream?: boolean;
}

function parseRunner(value: string): RunnerName {
  if (!(RUNNER_NAMES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`one of ${RUNNER_NAMES.join(', ')}`);
  }
  return value as RunnerName;
}

/** Where the summary's figures came from, said once at its end. */
function figuresNote(s: CurateFileSummary): string {
  if (s.figuresFrom === 'counters') return `figures: the pipeline's counters (runner ${s.runner})`;
  return `figures: counted in the files (runner ${s.runner} reports no user counters): messages and blank lines in --input, rows in --output, DLQ records per stage in --dlq`;
}

function snapshotsLine(s: CurateFileSummary): string {
  if (s.snapshotsCurated !== null && s.snapshotsIgnored !== null) {
    return `snapshots curated: ${s.snapshotsCurated}, ignored (other event types): ${s.snapshotsIgnored}`;
  }
  // Every message ends as rows, one DLQ record or an ignored snapshot (curated-elements.ts).
  const curatedOrIgnored = s.messages - s.dlqParseNormalize - s.dlqSnapshotToStationRows;
  return `snapshots curated or ignored (other event types): ${curatedOrIgnored} (messages − DLQ records; the files cannot tell the two apart)`;
}

function summaryText(s: CurateFileSummary, flags: CurateFlags): string {
  const seconds = s.elapsedMs / 1000;
  return [
    `messages: ${s.messages} (blank lines skipped: ${s.blankLinesSkipped})`,
    snapshotsLine(s),
    `station rows: ${s.stationRows} → ${flags.output}`,
    `dlq records: ${s.dlqParseNormalize + s.dlqSnapshotToStationRows} (parse_normalize ${s.dlqParseNormalize}, snapshot_to_station_rows ${s.dlqSnapshotToStationRows}) → ${flags.dlq}`,
    `elapsed: ${seconds.toFixed(2)} s (${Math.round(s.stationRows / Math.max(seconds, 1e-9))} station rows/s)`,
    ...(s.runner === 'direct' && s.figuresFrom === 'counters' ? [] : [figuresNote(s)]),
    '',
  ].join('\n');
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_FILE_MODE_WORKERS) {
    throw new InvalidArgumentError(`an integer from 1 to ${MAX_FILE_MODE_WORKERS}`);
  }
  return n;
}

/**
 * `pmp curate`: the curated Beam job (pmp-velib-curated) on this machine. File mode runs the
 * composite once over an NDJSON file of envelopes; `--stream` starts the micro-batch runner on the
 * Pub/Sub subscription and BigQuery tables named by the environment (as the local stack does).
 */
export function registerCurate(program: Command): void {
  program
    .command('curate')
    .description(
      'run the curated Beam pipeline (DirectRunner, or --runner portable|flink): NDJSON envelopes → station rows + DLQ, or --stream from Pub/Sub to BigQuery',
    )
    .option('--input <file>', 'NDJSON file of event envelopes, one per line (file mode)')
    .option('--output <file>', 'NDJSON file for curated station rows (created or truncated)')
    .option('--dlq <file>', 'NDJSON file for DLQ records (created or truncated)')
    .option(
      '--workers <n>',
      `threads curating at once in file mode: the input is cut into ranges of lines, each curated on its own DirectRunner, the output written in input order (identical to --workers 1, which runs in this thread only); default: one per core, at most ${MAX_FILE_MODE_WORKERS} (here ${defaultFileModeWorkers()}), and one per ${MIN_BYTES_PER_WORKER >> 20} MiB of input (a worker first loads the Beam SDK)`,
      parseWorkers,
    )
    .option(
      '--runner <name>',
      `where file mode runs: direct (in process), portable (Beam's Python job service) or flink (an embedded Flink), the last two on one thread (--workers 1) and provisioned on first use into node_modules/.cache/pmp-beam/; same files on all three`,
      parseRunner,
      'direct',
    )
    .option(
      '--stream',
      'pull micro-batches from INPUT_SUBSCRIPTION and insert into OUTPUT_TABLE / DLQ_TABLE until interrupted (env: PROJECT_ID, INPUT_SUBSCRIPTION, OUTPUT_TABLE, DLQ_TABLE, emulator hosts)',
    )
    .action(async (flags: CurateFlags) => {
      if (flags.stream) {
        const { runCuratedStreamingFromEnv } =
          await import('../../beam/streaming/streaming-main.js');
        await runCuratedStreamingFromEnv();
        return;
      }
      const missing = (['input', 'output', 'dlq'] as const).filter((k) => !flags[k]);
      if (missing.length > 0) {
        process.stderr.write(
          `pmp curate: missing ${missing.map((k) => `--${k}`).join(', ')} (or use --stream)\n`,
        );
        process.exitCode = 2;
        return;
      }
      try {
        const s = await curateFile({
          input: flags.input!,
          output: flags.output!,
          dlq: flags.dlq!,
          runner: flags.runner,
          ...(flags.workers === undefined ? {} : { workers: flags.workers }),
        });
        process.stdout.write(summaryText(s, flags));
      } catch (error) {
        if (!(error instanceof CurateFileError) && !(error instanceof ToolchainError)) throw error;
        process.stderr.write(`pmp curate: ${error.message}\n`);
        process.exitCode = 1;
      }
    });
}
