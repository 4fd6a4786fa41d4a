import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from './state-file.js';

describe('services started by the stack', () => {
  const logs = mkdtempSync(path.join(tmpdir(), 'pmp-orphan-'));
  afterAll(() => rmSync(logs, { recursive: true, force: true }));

  it('stop when the stack is killed with SIGKILL instead of lingering as orphans', async () => {
    const env = {
      PROJECT_ID: 'pmp-local',
      TOPIC_ID: 'pmp-events',
      FEED_URL: 'http://127.0.0.1:9/station_status.json',
      SOURCE: 'velib',
      EVENT_TYPE: 'station_status_snapshot',
      PUBSUB_EMULATOR_HOST: '127.0.0.1:9',
    };
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/stack/testing/orphan-parent.ts', JSON.stringify(env), logs],
      { cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const childPid = await new Promise<number>((resolve, reject) => {
      createInterface({ input: parent.stdout! }).on('line', (line) => {
        const match = /^CHILD (\d+)$/.exec(line);
        if (match) resolve(Number(match[1]));
      });
      parent.once('exit', (code) => reject(new Error(`parent exited early (${code})`)));
    });
    expect(isProcessAlive(childPid)).toBe(true);

    parent.kill('SIGKILL');
    const deadline = Date.now() + 15_000;
    while (isProcessAlive(childPid) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (isProcessAlive(childPid)) process.kill(childPid, 'SIGKILL');
    expect(isProcessAlive(childPid)).toBe(false);
  }, 60_000);
});
