import path from 'node:path';
import type { Command } from 'commander';
import type { DemoVerb } from '../../local/demo/index.js';
import { cliAction } from '../../local/stack/cli-action.js';

interface DemoFlags {
  env: string;
  context?: string;
  dryRun?: boolean;
  local?: boolean;
  schedulerOnly?: boolean;
  dataDir: string;
}

const VERBS: Record<DemoVerb, string> = {
  up: 'apply clusters/<env>/demo (scheduler jobs, Dataflow job); --local resumes the local scheduler and curated runner (--scheduler-only: the scheduler alone)',
  down: 'delete them (the Dataflow job drains); --local pauses the local scheduler and curated runner (--scheduler-only: the scheduler alone, e.g. during a backfill)',
  status: 'Ready conditions of the Config Connector objects and the Dataflow job state',
  collect: 'trigger both collectors once with an identity token',
};

/** `pmp demo up|down|status|collect`: start and stop what costs money, with kubectl. */
export function registerDemo(program: Command): void {
  const demo = program
    .command('demo')
    .description(
      'start/stop the cost-generating demo objects with kubectl, or the local stack with --local',
    );
  for (const verb of Object.keys(VERBS) as DemoVerb[]) {
    const command = demo
      .command(verb)
      .description(VERBS[verb])
      .option('--env <env>', 'environment: dev or prod', 'dev')
      .option('--context <name>', 'kubectl context (default: the current one)')
      .option('--dry-run', 'print every kubectl/gcloud command instead of running it')
      .option('--local', 'act on the running local stack (pmp start) instead of a cluster')
      .option('--data-dir <dir>', 'data dir of the running `pmp start` (with --local)', '.pmp');
    if (verb === 'up' || verb === 'down') {
      command.option(
        '--scheduler-only',
        'with --local: only the scheduler, the curated runner keeps its state',
      );
    }
    command.action(
      cliAction(`demo ${verb}`, async (flags: DemoFlags) => {
        const print = (line: string) => {
          if (line !== '') process.stdout.write(`${line}\n`);
        };
        const { runDemo, runLocalDemo } = await import('../../local/demo/index.js');
        if (flags.local) {
          const { readStackState } = await import('../../local/stack/state-file.js');
          const state = readStackState(flags.dataDir);
          if (!state) {
            throw new Error(
              `no running local stack for ${flags.dataDir} (start one with npm start)`,
            );
          }
          process.exitCode = await runLocalDemo({
            verb,
            controlUrl: state.controlUrl,
            schedulerOnly: flags.schedulerOnly,
            dryRun: flags.dryRun,
            print,
          });
          return;
        }
        if (flags.schedulerOnly) {
          throw new Error('--scheduler-only works with --local only');
        }
        if (!['dev', 'prod'].includes(flags.env)) {
          throw new Error(`--env must be dev or prod (or use --local): ${flags.env}`);
        }
        const { REPO_ROOT } = await import('../../local/stack/stack.js');
        process.exitCode = await runDemo({
          verb,
          env: flags.env,
          clustersDir: path.join(REPO_ROOT, 'clusters'),
          context: flags.context,
          dryRun: flags.dryRun,
          print,
        });
      }),
    );
  }
}
