import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../testing/leave-a-service-behind.ts', import.meta.url));

/** Running, not merely a zombie: this VM's init does not reap orphans, so `kill(pid, 0)` won't do. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('Beam service processes', () => {
  it('do not outlive the process that started them when it dies of an uncaught error', async () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('crashed with the service still running');
    const pid = Number(run.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    // SIGKILL is delivered at once; the child may take a moment to die.
    for (let i = 0; i < 50 && isRunning(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(isRunning(pid)).toBe(false);
  });
});
