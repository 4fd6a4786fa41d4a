import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../runtime/logger.js';
import { startSupervisedService } from './supervised-service.js';

const root = path.resolve(import.meta.dirname, '../..');
const logs = mkdtempSync(path.join(tmpdir(), 'pmp-supervised-'));
afterAll(() => rmSync(logs, { recursive: true, force: true }));

// The default policy (0.5 s doubling to 30 s, a loop at 5 crashes a minute) scaled down so a loop
// shows within seconds; restart-policy.test.ts checks the real numbers.
const POLICY = { initialDelayMs: 100, maxDelayMs: 600, crashLoopCrashes: 3 };
const UP_MS = 50;

describe('a service that dies at once every time it starts', () => {
  it('is restarted on its port no faster than the backoff, and reported crash-looping with its last error', async () => {
    const service = await startSupervisedService({
      name: 'crashing',
      entry: 'local/stack/testing/crashing-service.ts',
      cwd: root,
      env: { PATH: process.env.PATH ?? '', PORT: '0', CRASH_AFTER_MS: String(UP_MS) },
      logFile: path.join(logs, 'crashing.log'),
      log: silentLogger(),
      policy: POLICY,
    });
    const starts = [Date.now()];
    const pids = new Set([service.pid]);
    let loopingSeen: string | undefined;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && service.restarts() < 4) {
      if (service.pid !== 0 && !pids.has(service.pid)) {
        pids.add(service.pid);
        starts.push(Date.now());
      }
      if (service.status() === 'crash-looping') loopingSeen ??= service.detail();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await service.stop();

    expect(service.restarts()).toBe(4);
    expect(loopingSeen).toMatch(/restarts \d, last: exit code 1: fatal: boom on \d+$/);
    // The error names the port: every incarnation listened on the first one's.
    expect(service.lastError()).toBe(`exit code 1: fatal: boom on ${service.port}`);
    expect(service.status()).toBe('stopped');
    // Each restart waits at least its backoff (100, 200, then the 600 ms cap once looping) after
    // the process was up UP_MS; start-up time comes on top.
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    [100, 200, 600].forEach((wait, i) => expect(gaps[i]).toBeGreaterThanOrEqual(wait + UP_MS));
  }, 30_000);
});
