import type { Command } from 'commander';

/**
 * `pmp start` will run the whole local stack (issue: "npm start: the whole pipeline on one machine").
 * Until it lands, it says so plainly and exits non-zero instead of pretending.
 */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'run the whole pipeline locally: emulators, services, Beam runner, scheduler, dashboard',
    )
    .action(() => {
      process.stderr.write(
        [
          'pmp start: the full local stack is not built yet.',
          'What exists today is listed by `pmp --help`.',
          '',
        ].join('\n'),
      );
      process.exitCode = 2;
    });
}
