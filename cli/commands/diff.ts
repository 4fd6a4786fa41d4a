import type { Command } from 'commander';

interface DiffFlags {
  base: string;
  format: string;
}

/** `pmp diff --base REF`: what a change does to the rendered objects, for review. */
export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('resource-level diff of clusters/ between a git ref and the working tree')
    .option('--base <ref>', 'git ref to compare against', 'origin/main')
    .option('--format <format>', 'text (terminals) or markdown (pull-request comments)', 'text')
    .action(async (flags: DiffFlags) => {
      if (flags.format !== 'text' && flags.format !== 'markdown') {
        process.stderr.write(`pmp diff: --format must be text or markdown, not ${flags.format}\n`);
        process.exitCode = 2;
        return;
      }
      const { diffAgainstRef, formatMarkdown, formatText } =
        await import('../../cdk8s/diff/manifest-diff.js');
      const { REPO_ROOT } = await import('../../cdk8s/paths.js');
      const diff = diffAgainstRef(REPO_ROOT, flags.base);
      process.stdout.write(flags.format === 'markdown' ? formatMarkdown(diff) : formatText(diff));
    });
}
