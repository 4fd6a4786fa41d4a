import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const stopSignalModule = resolve(fileURLToPath(import.meta.url), '../stop-signal.ts');

/**
 * A process that asks for its stop signal, then spends `busyMs` of synchronous start-up before it
 * says "ready" and waits; it prints the signal it got and exits 0 after its shutdown step.
 */
function startProcess(busyMs: number) {
  const script = `
    const { nextStopSignal } = await import(${JSON.stringify(stopSignalModule)});
    const stop = nextStopSignal();
    process.stdout.write('starting\\n');
    const until = Date.now() + ${busyMs};
    while (Date.now() < until);
    process.stdout.write('ready\\n');
    // A signal listener alone does not keep the event loop alive; a real server would.
    const alive = setInterval(() => {}, 1000);
    const signal = await stop;
    clearInterval(alive);
    process.stdout.write('stopped by ' + signal + '\\n');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const printed = (text: string) =>
    new Promise<void>((done) => {
      const look = () => stdout.includes(text) && done();
      child.stdout.on('data', look);
      look();
    });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('close', (code, signal) => done({ code, signal })),
  );
  return { child, printed, exited, output: () => stdout };
}

describe('nextStopSignal', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'turns %s right after "ready" into a clean exit',
    async (signal) => {
      const run = startProcess(0);
      await run.printed('ready');
      run.child.kill(signal);
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(run.output()).toContain(`stopped by ${signal}`);
    },
  );

  it('holds a signal sent during start-up until start-up has finished', async () => {
    const run = startProcess(1_000);
    await run.printed('starting');
    run.child.kill('SIGINT');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.output()).toBe('starting\nready\nstopped by SIGINT\n');
  });
});
