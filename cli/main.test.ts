import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

  it('ends a refused flag value with one line and exit code 1, not a stack trace', () => {
    const pmp = fileURLToPath(new URL('./bin/pmp.js', import.meta.url));
    const run = spawnSync(process.execPath, [pmp, 'start', '--dashboard-port', 'abc'], {
      encoding: 'utf8',
      env: { ...process.env, PMP_DEBUG: '' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('pmp: --dashboard-port: not a port: abc\n');
  });
});
