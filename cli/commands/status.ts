import type { Command } from 'commander';
import { cliAction } from '../../local/stack/cli-action.js';

/** `pmp status`: what runs, backlogs, rows per table, DLQ counts, freshness. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'show the local stack: components, backlog per subscription, rows per table, DLQ counts, freshness',
    )
    .option('--json', 'print JSON instead of tables')
    .option('--data-dir <dir>', 'data dir of the running `pmp start`', '.pmp')
    .action(
      cliAction('status', async (flags: { json?: boolean; dataDir: string }) => {
        const { collectStackStatus, formatStackStatus } =
          await import('../../local/stack/status.js');
        const status = await collectStackStatus({ dataDir: flags.dataDir });
        process.stdout.write(
          flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatStackStatus(status),
        );
      }),
    );
}
