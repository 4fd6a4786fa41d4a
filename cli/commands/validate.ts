import type { Command } from 'commander';
import path from 'node:path';

/**
 * `pmp validate [dir]`: every rendered object against its CRD schema, its references inside the
 * environment, and the security policies. Exits 1 when anything is wrong.
 */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'check rendered manifests: CRD schemas, references within each environment, security policies',
    )
    .argument('[dir]', 'clusters/ (every environment) or one environment folder', 'clusters')
    .action(async (dir: string) => {
      const { validateTree, formatProblem } = await import('../../cdk8s/validate/index.js');
      const reports = validateTree(path.resolve(dir));
      let total = 0;
      for (const report of reports) {
        for (const p of report.problems) process.stdout.write(`${formatProblem(p)}\n`);
        total += report.problems.length;
        process.stdout.write(
          `${report.environment}: ${report.objects} objects, ${report.problems.length} problem(s)\n`,
        );
      }
      if (total > 0) process.exitCode = 1;
    });
}
