import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../local/simulator/index.js';
import { PROJECT, eventually, startStack, tableRows, type Stack } from '../testing/e2e-harness.js';

const root = resolve(import.meta.dirname, '../..');

interface Started {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  port?: number;
  exit: Promise<number | null>;
}

/** Runs a service entry point as Cloud Run would: its own process, configured by env alone. */
function start(entry: string, env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started: Started = {
    child,
    lines: [],
    exit: once(child, 'exit').then(([code]) => code as number | null),
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      started.lines.push(entry);
      if (entry.message === 'listening') started.port = entry.port as number;
    } catch {
      started.lines.push({ text: line });
    }
  });
  child.stderr!.resume();
  return started;
}

describe('service entry points (main.ts) as processes', () => {
  let stack: Stack;
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  const emulatorEnv = () => ({
    PUBSUB_EMULATOR_HOST: stack.pubsubEmulator.host,
    BIGQUERY_EMULATOR_HOST: stack.bigqueryEmulator.url,
    PROJECT_ID: PROJECT,
  });

  beforeAll(async () => {
    stack = await startStack();
    simulator = await startSimulator({ port: 0 });
  });

  afterAll(async () => {
    await simulator?.close();
    await stack?.close();
  });

  it('collector and writer processes move a snapshot, then stop cleanly on SIGTERM', async () => {
    // Both start at once: process start-up (tsx) is most of this test's time.
    const writer = start('services/bq-writer/main.ts', { ...emulatorEnv(), PORT: '0' });
    const collector = start('services/velib-collector/main.ts', {
      ...emulatorEnv(),
      PORT: '0',
      TOPIC_ID: 'pmp-events',
      FEED_URL: `${simulator.url}/station_status.json`,
    });
    const [topic] = await stack.pubsub.createTopic('pmp-events');
    await eventually(() => writer.port, 'the writer to listen');
    await topic.createSubscription('pmp-events-to-bq-sub', {
      pushConfig: { pushEndpoint: `http://127.0.0.1:${writer.port}/pubsub` },
    });
    await eventually(() => collector.port, 'the collector to listen');
    const health = await fetch(`http://127.0.0.1:${collector.port}/healthz`);
    expect(health.status).toBe(200);
    const response = await fetch(`http://127.0.0.1:${collector.port}/collect`, { method: 'POST' });
    expect(response.status).toBe(200);
    const { messageId } = (await response.json()) as { messageId: string };
    await eventually(async () => {
      const rows = await tableRows(stack.bigquery, 'pmp_raw', 'velib_station_status_raw');
      return rows.some((r) => r.message_id === messageId) ? true : undefined;
    }, 'the raw row');

    for (const service of [collector, writer]) {
      service.child.kill('SIGTERM');
      expect(await service.exit).toBe(0);
      const messages = service.lines.map((l) => l.message);
      expect(messages).toContain('shut down');
      expect(service.lines.every((l) => typeof l.severity === 'string')).toBe(true);
    }
  });

  it('a writer with a bad configuration refuses to start and names the variable', async () => {
    const writer = start('services/station-info-writer/main.ts', {
      ...emulatorEnv(),
      PORT: 'http',
    });
    expect(await writer.exit).not.toBe(0);
    const fatal = writer.lines.find((l) => l.severity === 'CRITICAL');
    expect(JSON.stringify(fatal)).toMatch(/PORT is invalid/);
  });

  it('the replayer job prints a summary and exits 0 when nothing failed', async () => {
    const [dlqTopic] = await stack.pubsub.createTopic('pmp-velib-station-info-push-dlq');
    await stack.pubsub.createTopic('pmp-velib-station-info');
    await dlqTopic.createSubscription('pmp-velib-station-info-push-dlq-hold-sub');
    await dlqTopic.publishMessage({
      data: Buffer.from('{"test":"e2e_drill"}'),
      attributes: { dlq_test: 'true', CloudPubSubDeadLetterSourceDeliveryCount: '5' },
    });
    const job = start('services/dlq-replayer/main.ts', {
      ...emulatorEnv(),
      QPS: '0',
      MAX_MESSAGES: '1',
    });
    expect(await job.exit).toBe(0);
    const summary = job.lines.find((l) => 'summary' in l)?.summary;
    expect(summary).toMatchObject({ pulled: 1, republished: 1, acked: 1, failed: 0 });
  });
});
