import { InvalidArgumentError, Option, type Command } from 'commander';
import type { FeedFormat } from '../../local/simulator/index.js';
// The flag parsers only: the simulator itself (model, renderers, server) loads when it runs.
import {
  parseInterval,
  parsePort,
  parseSeed,
  parseSpeed,
  parseTime,
} from '../../local/simulator/options.js';

interface SimulateFlags {
  port: number;
  host: string;
  seed: number;
  speed: number;
  start?: Date;
  gbfs: FeedFormat;
  stations?: string;
  export?: string;
  from?: Date;
  to?: Date;
  every: number;
}

const SERVER_ONLY = ['port', 'host', 'speed', 'start'] as const;
const EXPORT_ONLY = ['from', 'to', 'every'] as const;

/** `pmp simulate`: serve the simulated Vélib' feeds, or write a recorded history with --export. */
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      "serve a simulated Vélib' feed built on the real station list, or export a recorded history",
    )
    .option('--port <port>', 'HTTP port (0 picks a free one)', flag(parsePort), 8090)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--seed <n>', 'random seed: the same seed replays the same day', flag(parseSeed), 1)
    .option('--speed <factor>', 'simulated seconds per real second', flag(parseSpeed), 1)
    .option(
      '--start <iso>',
      'simulated time at start-up, e.g. 2025-10-18T07:00:00Z (default: now)',
      flag(parseTime),
    )
    .addOption(
      new Option('--gbfs <format>', "feed format: Vélib's own shape or standard GBFS 2.3")
        .choices(['velib', '2.3'])
        .default('velib'),
    )
    .option(
      '--stations <file>',
      'station_information.json to build on (default: the committed Vélib copy)',
    )
    .option('--export <dir>', 'write station_status snapshots to DIR instead of serving')
    .option('--from <iso>', 'with --export: time of the first snapshot', flag(parseTime))
    .option('--to <iso>', 'with --export: time of the last snapshot', flag(parseTime))
    .addOption(
      new Option('--every <interval>', 'with --export: time between snapshots (60s, 5m, 1h)')
        .argParser(flag(parseInterval))
        .default(60, '60s'),
    )
    .action(async (flags: SimulateFlags, command: Command) => {
      const given = (name: string) => command.getOptionValueSource(name) === 'cli';
      if (flags.export !== undefined) {
        const misplaced = SERVER_ONLY.filter(given);
        if (misplaced.length > 0) {
          command.error(
            `error: ${misplaced.map((name) => `--${name}`).join(', ')} only applies when serving, not with --export`,
          );
        }
        if (!flags.from || !flags.to) command.error('error: --export needs --from and --to');
        await runExport(flags, command);
      } else {
        const misplaced = EXPORT_ONLY.filter(given);
        if (misplaced.length > 0) {
          command.error(
            `error: ${misplaced.map((name) => `--${name}`).join(', ')} only applies with --export DIR`,
          );
        }
        await runServer(flags, command);
      }
    });
}

async function runServer(flags: SimulateFlags, command: Command): Promise<void> {
  const { startSimulator } = await import('../../local/simulator/index.js');
  let simulator;
  try {
    simulator = await startSimulator({
      port: flags.port,
      host: flags.host,
      seed: flags.seed,
      speed: flags.speed,
      start: flags.start,
      format: flags.gbfs,
      stationsFile: flags.stations,
    });
  } catch (error) {
    command.error(`error: ${(error as Error).message}`, { exitCode: 1 });
  }
  const running = simulator;
  process.stdout.write(
    [
      `Vélib' simulator listening on ${running.url}`,
      `  feeds: ${running.url}/gbfs.json, ${running.url}/station_status.json`,
      `  ${running.model.stationCount} stations, seed ${flags.seed}, speed ×${flags.speed}, format ${flags.gbfs},` +
        ` simulated time ${running.simulatedTime().toISOString()}`,
      '  Ctrl-C to stop',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
}

async function runExport(flags: SimulateFlags, command: Command): Promise<void> {
  const { Presets, SingleBar } = await import('cli-progress');
  const bar = process.stderr.isTTY
    ? new SingleBar(
        {
          stream: process.stderr,
          format: 'exporting {bar} {value}/{total} snapshots | ETA {eta}s',
        },
        Presets.shades_classic,
      )
    : undefined;
  const { exportHistory } = await import('../../local/simulator/index.js');
  try {
    const result = await exportHistory({
      dir: flags.export as string,
      from: flags.from as Date,
      to: flags.to as Date,
      everySeconds: flags.every,
      seed: flags.seed,
      format: flags.gbfs,
      stationsFile: flags.stations,
      onProgress: (done, total) => {
        if (done === 1) bar?.start(total, 0);
        bar?.update(done);
      },
    });
    bar?.stop();
    process.stdout.write(
      `wrote ${result.snapshots} station_status snapshots and station_information.json to ${flags.export}\n`,
    );
  } catch (error) {
    bar?.stop();
    command.error(`error: ${(error as Error).message}`, { exitCode: 1 });
  }
}

/** Adapts a library validator (which throws TypeError) to commander's argument errors. */
function flag<T>(parse: (value: string, name: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value, 'value');
    } catch (error) {
      // commander already names the option; drop the library's "value: " prefix.
      throw new InvalidArgumentError((error as Error).message.replace(/^value: /, ''));
    }
  };
}
