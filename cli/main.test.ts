import { describe, expect, it } from 'vitest';
import { buildProgram } from './main.js';

describe('pmp', () => {
  it('documents every subcommand', () => {
    const program = buildProgram();
    expect(program.commands.length).toBeGreaterThan(0);
    for (const command of program.commands) {
      expect(command.description(), `pmp ${command.name()} needs a description`).not.toBe('');
      expect(command.helpInformation()).toContain(`Usage: pmp ${command.name()}`);
    }
  });
});
