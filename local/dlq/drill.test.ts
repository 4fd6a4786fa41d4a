import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../runtime/logger.js';
import { DRILL_STEPS, runDrill } from './drill.js';
import { DLQ_NAMES } from './names.js';
import { startDlqStack, type DlqStack } from './testing/dlq-stack.js';

describe('pmp dlq drill on the emulators, provisioned from clusters/local', () => {
  let stack: DlqStack;
  beforeAll(async () => {
    stack = await startDlqStack();
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('reports every step with a time: refused 5×, dead-lettered, held, in BigQuery, replayed, back', async () => {
    const report = await runDrill(stack, { log: silentLogger(), pollMs: 100 });
    console.log(
      report.steps.map((s) => `${s.step}: +${s.atMs} ms (${s.tookMs} ms) ${s.detail}`).join('\n'),
    );
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => s.step)).toEqual([...DRILL_STEPS]);
    expect(report.steps.every((s) => s.ok && Number.isFinite(s.atMs))).toBe(true);
    expect(report.steps[1]!.detail).toMatch(
      /after 5 deliveries on .*pmp-velib-station-info-to-bq-sub/,
    );
    // The replayed copy was accepted: the hold subscription is empty again and no row was written.
    const [rows] = await stack.bigquery.query(
      'SELECT COUNT(*) AS n FROM pmp_curated.velib_station_information',
    );
    expect(Number((rows[0] as { n: number }).n)).toBe(0);
    // The drill's own watch subscriptions are gone.
    const [subscriptions] = await stack.pubsub.getSubscriptions();
    expect(subscriptions.map((s) => s.name).filter((n) => n.includes('pmp-dlq-drill-'))).toEqual(
      [],
    );
  }, 60_000);

  it('exits on the first step that does not happen, naming it (no BigQuery subscription)', async () => {
    await stack.pubsub.subscription('pmp-velib-station-info-push-dlq-to-bq-sub').delete();
    const report = await runDrill(stack, {
      log: silentLogger(),
      pollMs: 100,
      stepTimeoutMs: 3_000,
    });
    expect(report.ok).toBe(false);
    expect(report.failedStep).toBe('BigQuery DLQ table');
    expect(report.steps.map((s) => [s.step, s.ok])).toEqual([
      ['publish', true],
      ['dead-letter topic', true],
      ['hold subscription', true],
      ['BigQuery DLQ table', false],
    ]);
    expect(report.steps.at(-1)!.detail).toBe('did not happen within 3 s');
  }, 60_000);

  it('names the hold subscription when it is gone (the replayer has nothing to read)', async () => {
    // The message left held by the previous test, then the subscription itself.
    await stack.pubsub.subscription(DLQ_NAMES.holdSubscription).delete();
    const report = await runDrill(stack, {
      log: silentLogger(),
      pollMs: 100,
      stepTimeoutMs: 3_000,
    });
    expect(report.failedStep).toBe('hold subscription');
    expect(report.steps.at(-1)!.detail).toMatch(/^failed: .*NOT_FOUND|^failed: .*not found/i);
  }, 60_000);
});
