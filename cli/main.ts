import { Command } from 'commander';
import { registerCommands } from './commands/index.js';

/** Builds the `pmp` program; exported for tests, which parse argv without spawning a process. */
export function buildProgram(): Command {
  const program = new Command('pmp')
    .description("Paris Mobility Pulse: the Vélib' pipeline, locally and on Google Cloud")
    .showHelpAfterError()
    .showSuggestionAfterError();
  registerCommands(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  await buildProgram().parseAsync([...argv]);
}
