import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * Each entry point as Cloud Run starts it, with an environment it must refuse: one fatal JSON log
 * line naming the variable, and the exit status the platform shows, before anything listens.
 */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runMain(
  service: string,
  env: Record<string, string>,
): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `services/${service}/main.ts`], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, lines: out.split('\n').filter(Boolean) }));
  });
}

describe('a service main refused its environment', () => {
  it.each([
    { service: 'bq-writer', variable: 'PORT', value: 'not-a-port', exitCode: 1 },
    { service: 'dashboard', variable: 'PORT', value: '99999', exitCode: 1 },
    { service: 'dlq-replayer', variable: 'MAX_MESSAGES', value: '0', exitCode: 2 },
  ])(
    '$service logs one fatal line naming $variable and exits $exitCode',
    async ({ service, variable, value, exitCode }) => {
      const { code, lines } = await runMain(service, { [variable]: value });
      expect(code).toBe(exitCode);
      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0]!) as {
        severity: string;
        message: string;
        err: { message: string };
      };
      expect(line.severity).toBe('CRITICAL');
      expect(line.message).toBe('configuration rejected');
      expect(line.err.message).toContain(`invalid configuration: ${variable} is invalid`);
    },
    60_000,
  );
});
