import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROJECT, startStack, type Stack } from '../../services/e2e/harness.js';
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
