import type { Command } from 'commander';

/** `pmp synth`: what `npm run synth` / `npm run synth:check` do, from the CLI. */
export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('render every environment from charts/ into clusters/ (cdk8s)')
    .option(
      '--check',
      'write nothing; fail when clusters/ or cdk8s/imports/ differ from a fresh render',
    )
    .action(async (flags: { check?: boolean }) => {
      const { synth, synthCheck } = await import('../../cdk8s/main.js');
      if (!flags.check) {
        process.stdout.write(`synth: ${synth()} files in clusters/\n`);
        return;
      }
      const problems = synthCheck();
      for (const p of problems) process.stderr.write(`  ${p}\n`);
      process.stdout.write(
        problems.length === 0
          ? 'clusters/ and cdk8s/imports/ are up to date\n'
          : 'out of date: run `npm run import && npm run synth`\n',
      );
      if (problems.length > 0) process.exitCode = 1;
    });
}
