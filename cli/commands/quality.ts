import type { Command } from 'commander';
import { cliAction } from '../../local/stack/cli-action.js';

interface QualityFlags {
  project?: string;
  dataDir: string;
  hours: number;
  collecting: boolean;
  record: boolean;
  json?: boolean;
}

const hours = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error('hours must be a whole number ≥ 1');
  return n;
};

/**
 * `pmp quality`: every sql/assertions check, printed as a table and recorded in
 * pmp_ops.data_quality_results; exit code 1 when an `error` assertion fails.
 */
export function registerQuality(program: Command): void {
  program
    .command('quality')
    .description(
      'run the data-quality assertions (sql/assertions) against the local stack, or --project: a table of results, recorded in pmp_ops.data_quality_results; exits 1 when an error assertion fails',
    )
    .option(
      '--project <id>',
      'a Google Cloud project (official clients, emulator variables ignored)',
    )
    .option('--data-dir <dir>', 'the local stack to check (pmp start --data-dir)', '.pmp')
    .option('--hours <n>', 'how far back to check', hours, 24)
    .option('--no-collecting', 'the collector is paused: skip the checks that need it (freshness)')
    .option('--no-record', 'print only; write nothing to pmp_ops.data_quality_results')
    .option('--json', 'the results as JSON')
    .action(
      cliAction('quality', async (flags: QualityFlags) => {
        const { formatQualityRun, runQuality } = await import('../../local/quality/index.js');
        const now = new Date();
        const outcome = await runQuality({
          project: flags.project,
          dataDir: flags.dataDir,
          now,
          since: new Date(now.getTime() - flags.hours * 3_600_000),
          collecting: flags.collecting,
          record: flags.record,
        });
        process.stdout.write(
          `${flags.json ? JSON.stringify(outcome.run, null, 2) : formatQualityRun(outcome.run)}\n`,
        );
        if (outcome.recorded > 0 && !flags.json) {
          process.stdout.write(
            `recorded ${outcome.recorded} rows in pmp_ops.data_quality_results\n`,
          );
        }
        process.exitCode = outcome.exitCode;
      }),
    );
}
