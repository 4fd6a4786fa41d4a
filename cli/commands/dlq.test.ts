import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDlqStack, type DlqStack } from '../../local/dlq/testing/dlq-stack.js';
import { PROJECT, startStack, type Stack } from '../../services/testing/e2e-harness.js';
import { buildProgram } from '../main.js';

describe('pmp dlq replay', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    const [hold] = await stack.pubsub.createTopic('held');
    await stack.pubsub.createTopic('source');
    await hold.createSubscription('held-sub');
    await hold.publishMessage({ data: Buffer.from('{}'), attributes: { dlq_test: 'true' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('runs the replayer with flags over the environment and prints the summary', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      PUBSUB_EMULATOR_HOST: stack.pubsubEmulator.host,
      PROJECT_ID: PROJECT,
      SUBSCRIPTION_ID: 'held-sub',
      TARGET_TOPIC_ID: 'source',
    });
    const output: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      output.push(String(chunk));
      return true;
    });
    try {
      await buildProgram().parseAsync(
        ['dlq', 'replay', '--dry-run', '--max-messages', '1', '--qps', '0'],
        { from: 'user' },
      );
    } finally {
      write.mockRestore();
      process.env = saved;
    }
    const summary = JSON.parse(output.join(''));
    expect(summary).toMatchObject({
      subscription: `projects/${PROJECT}/subscriptions/held-sub`,
      targetTopic: `projects/${PROJECT}/topics/source`,
      dryRun: true,
      pulled: 1,
      republished: 1,
      acked: 0,
      failed: 0,
    });
    expect(process.exitCode ?? 0).toBe(0);
  });

  it('without a project replays on the local stack, and says so when none is running', async () => {
    const saved = { ...process.env };
    delete process.env.PROJECT_ID;
    process.env.PUBSUB_EMULATOR_HOST = '127.0.0.1:1'; // nothing listens there
    const errors: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });
    const emptyDataDir = mkdtempSync(path.join(tmpdir(), 'pmp-dlq-replay-'));
    try {
      await buildProgram().parseAsync(['dlq', 'replay', '--data-dir', emptyDataDir], {
        from: 'user',
      });
    } finally {
      write.mockRestore();
      process.env = saved;
    }
    expect(errors.join('')).toBe(
      'pmp dlq replay: no Pub/Sub emulator answers at 127.0.0.1:1: start the stack with `npm start` (or `pmp emulators`), or set the emulator host variables\n',
    );
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
  });

  it('refuses a bad flag value', async () => {
    const program = buildProgram().exitOverride();
    program.commands.forEach((c) => c.exitOverride());
    const dlq = program.commands.find((c) => c.name() === 'dlq')!;
    dlq.commands.forEach((c) => c.exitOverride().configureOutput({ writeErr: () => undefined }));
    await expect(
      program.parseAsync(['dlq', 'replay', '--qps', '-1'], { from: 'user' }),
    ).rejects.toThrow(/qps must be a number ≥ 0/);
  });
});

describe('pmp dlq list, show and drill against the emulators', () => {
  let dlqStack: DlqStack;
  let emptyDataDir: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    dlqStack = await startDlqStack();
    // No stack.json there: the commands find the emulators through the host variables.
    emptyDataDir = mkdtempSync(path.join(tmpdir(), 'pmp-dlq-cli-'));
    Object.assign(process.env, {
      PUBSUB_EMULATOR_HOST: dlqStack.target.pubsubHost,
      BIGQUERY_EMULATOR_HOST: dlqStack.target.bigqueryUrl,
      PROJECT_ID: dlqStack.target.projectId,
    });
  }, 60_000);
  afterAll(async () => {
    process.env = saved;
    await dlqStack?.close();
  });

  async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
    const out: string[] = [];
    const err: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const writeErr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err.push(String(chunk));
      return true;
    });
    process.exitCode = 0;
    try {
      await buildProgram().parseAsync([...args, '--data-dir', emptyDataDir], { from: 'user' });
    } finally {
      write.mockRestore();
      writeErr.mockRestore();
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return { out: out.join(''), err: err.join(''), code };
  }

  it('drill prints every step with its time, then list shows the drill dead letter and show prints it', async () => {
    const drill = await run(['dlq', 'drill', '--step-timeout', '10']);
    expect(drill.code).toBe(0);
    const lines = drill.out.trim().split('\n');
    expect(lines.map((l) => l.slice(0, 30).replace(/\s+/g, ' ').trim())).toEqual([
      'ok publish',
      'ok dead-letter topic',
      'ok hold subscription',
      'ok BigQuery DLQ table',
      'ok replay',
      'ok back on the source topic',
    ]);
    for (const line of lines) expect(line).toMatch(/\+\d+\.\d s {2}\(\d+\.\d s\)/);

    const list = JSON.parse((await run(['dlq', 'list', '--json'])).out);
    expect(list).toMatchObject({ total: 1, held: 0 });
    expect(list.counts).toEqual([
      expect.objectContaining({ source: 'push', reason: 'drill (pmp_drill)', count: 1 }),
    ]);
    const shown = await run(['dlq', 'show', list.records[0].id]);
    expect(shown.out).toMatch(/reason\s+drill \(pmp_drill\)\n/);
    expect(shown.out).toMatch(/held\s+no \(replayed or expired\)/);
  }, 60_000);

  it('show of an unknown id says so and exits 1', async () => {
    const shown = await run(['dlq', 'show', 'push:does-not-exist']);
    expect(shown.code).toBe(1);
    expect(shown.err).toMatch(/^pmp dlq show: no dead letter with id "push:does-not-exist"/);
  }, 30_000);

  it('drill exits 1 naming the step that did not happen', async () => {
    await dlqStack.pubsub.subscription('pmp-velib-station-info-push-dlq-to-bq-sub').delete();
    const drill = await run(['dlq', 'drill', '--step-timeout', '2']);
    expect(drill.code).toBe(1);
    expect(drill.out).toMatch(/FAIL {2}BigQuery DLQ table .* did not happen within 2 s/);
    expect(drill.err).toMatch(/step "BigQuery DLQ table" did not happen/);
  }, 60_000);
});
