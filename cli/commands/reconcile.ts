import type { Command } from 'commander';
import type * as Reconciler from '../../local/reconcile/index.js';
import type { ReconcileResult } from '../../local/reconcile/index.js';
import { cliAction } from '../../local/stack/cli-action.js';

interface ReconcileFlags {
  dryRun?: boolean;
  pruneData?: boolean;
  watch?: boolean;
  verbose?: boolean;
  project?: string;
  dataDir?: string;
}

function report(
  { formatPlan, summarize }: typeof Reconciler,
  result: ReconcileResult | Error,
  flags: ReconcileFlags,
): boolean {
  if (result instanceof Error) {
    process.stderr.write(`pmp reconcile: ${result.message}\n`);
    return false;
  }
  process.stdout.write(
    formatPlan(result.changes, { dryRun: flags.dryRun, verbose: flags.verbose }),
  );
  return summarize(result.changes).blocked === 0;
}

/** `pmp reconcile [dir]`: converge the emulators to the rendered Config Connector manifests. */
export function registerReconcile(program: Command): void {
  program
    .command('reconcile')
    .description(
      'converge the local emulators to the rendered manifests (topics, subscriptions, datasets, tables, views), like Config Sync',
    )
    .argument('[dir]', 'environment folder or folder of rendered manifests', 'clusters/local')
    .option('--dry-run', 'print the plan, change nothing')
    .option('--prune-data', 'also delete or recreate tables that hold rows')
    .option('--watch', 're-run whenever a manifest under the folder changes (Ctrl-C stops)')
    .option('-v, --verbose', 'list unchanged resources too')
    .option('--project <id>', 'project id (default: the namespace annotation of the manifests)')
    .option(
      '--data-dir <dir>',
      'data dir of a running `pmp start` (its emulators and service ports are used)',
      '.pmp',
    )
    .action(
      cliAction('reconcile', async (dir: string, flags: ReconcileFlags) => {
        const reconciler = await import('../../local/reconcile/index.js');
        const { reconcile, watchReconcile } = reconciler;
        const { assertReachable, clientsFor, resolveTarget } =
          await import('../../local/stack/connect.js');
        const target = resolveTarget({ dataDir: flags.dataDir, projectId: flags.project });
        await assertReachable(target);
        const { pubsub, bigquery } = clientsFor(target);
        const options = {
          dir,
          projectId: flags.project,
          serviceUrls: target.state?.serviceUrls,
          dryRun: flags.dryRun,
          pruneData: flags.pruneData,
          pubsub,
          bigquery,
        };
        process.stderr.write(
          `reconciling ${dir} → Pub/Sub ${target.pubsubHost}, BigQuery ${target.bigqueryUrl}${
            target.state ? ' (running stack)' : ''
          }\n`,
        );
        try {
          const ok = report(reconciler, await reconcile(options).catch((e: Error) => e), flags);
          if (!flags.watch) {
            process.exitCode = ok ? 0 : 1;
            return;
          }
          process.stderr.write(`watching ${dir} for changes (Ctrl-C stops)\n`);
          const watcher = watchReconcile(options, (result) => {
            process.stdout.write(`\n[${new Date().toLocaleTimeString()}] manifests changed\n`);
            report(reconciler, result, flags);
          });
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          watcher.close();
        } finally {
          await pubsub.close();
        }
      }),
    );
}
