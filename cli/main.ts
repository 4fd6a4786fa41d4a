import { Command } from 'commander';
import { reportCliFailure } from '../local/stack/cli-action.js';
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

/**
 * Runs `pmp`. A failure no command caught (a flag value its parser refused, a missing project)
 * ends as one line on stderr and exit code 1, as `cliAction` does for each command's own errors;
 * `PMP_DEBUG=1` adds the stack.
 */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    reportCliFailure('pmp', error);
  }
}
