import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BigQuery } from '@google-cloud/bigquery';
import { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../runtime/logger.js';
import { startEmulators, type RunningEmulators } from '../emulators.js';
import { formatPlan, hasChanges, summarize } from './plan.js';
import { reconcile } from './reconcile.js';

const root = path.resolve(import.meta.dirname, '../..');
const PROJECT = 'pmp-local';
const serviceUrls = {
  'pmp-bq-writer': 'http://127.0.0.1:18102',
  'pmp-velib-station-info-writer': 'http://127.0.0.1:18103',
};

let running: RunningEmulators;
let pubsub: PubSub;
let bigquery: BigQuery;
let dir: string;

/** A private copy of clusters/local/config-sync the tests may edit. */
function edit(file: string, change: (text: string) => string): void {
  const full = path.join(dir, 'config-sync', file);
  const before = readFileSync(full, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing`);
  writeFileSync(full, after);
}

beforeAll(async () => {
  running = await startEmulators({
    pubsubPort: 0,
    pubsubAdminPort: 0,
    bigqueryPort: 0,
    log: silentLogger(),
  });
  const saved = { ...process.env };
  Object.assign(process.env, running.env);
  pubsub = new PubSub({ projectId: PROJECT });
  bigquery = new BigQuery({ projectId: PROJECT });
  for (const key of Object.keys(running.env)) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  dir = mkdtempSync(path.join(tmpdir(), 'pmp-reconcile-'));
  cpSync(path.join(root, 'clusters/local'), dir, { recursive: true });
});

afterAll(async () => {
  await pubsub?.close();
  await running?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = (extra: { dryRun?: boolean; pruneData?: boolean } = {}) =>
  reconcile({ dir, serviceUrls, pubsub, bigquery, ...extra });

describe('pmp reconcile against the emulators', () => {
  it('creates every resource of clusters/local, in an order the APIs accept', async () => {
    const dry = await run({ dryRun: true });
    expect(dry.applied).toBe(false);
    const [before] = await pubsub.getTopics();
    expect(before).toHaveLength(0);

    const result = await run();
    const counts = summarize(result.changes);
    expect(counts.create).toBe(result.changes.length);
    const [topics] = await pubsub.getTopics();
    expect(topics.map((t) => t.name.split('/').pop()).sort()).toEqual([
      'pmp-budget-alerts',
      'pmp-events',
      'pmp-velib-station-info',
      'pmp-velib-station-info-push-dlq',
    ]);
    const [push] = await pubsub.subscription('pmp-events-to-bq-sub').getMetadata();
    expect(push.pushConfig?.pushEndpoint).toBe('http://127.0.0.1:18102/pubsub');
    expect(push.pushConfig?.oidcToken?.audience).toBe('http://pmp-bq-writer:8080');
    expect(push.ackDeadlineSeconds).toBe(60);
    expect(Number(push.messageRetentionDuration?.seconds)).toBe(86_400);
    expect(Number(push.retryPolicy?.minimumBackoff?.seconds)).toBe(10);
    const [info] = await pubsub.subscription('pmp-velib-station-info-to-bq-sub').getMetadata();
    expect(info.deadLetterPolicy).toMatchObject({
      deadLetterTopic: `projects/${PROJECT}/topics/pmp-velib-station-info-push-dlq`,
      maxDeliveryAttempts: 5,
    });
    const [bq] = await pubsub
      .subscription('pmp-velib-station-info-push-dlq-to-bq-sub')
      .getMetadata();
    expect(bq.bigqueryConfig).toMatchObject({
      table: `${PROJECT}:pmp_ops.velib_station_info_push_dlq`,
      writeMetadata: true,
    });

    const [raw] = await bigquery.dataset('pmp_raw').table('velib_station_status_raw').getMetadata();
    expect(raw.timePartitioning).toMatchObject({ type: 'DAY', field: 'ingest_ts' });
    const [curated] = await bigquery
      .dataset('pmp_curated')
      .table('velib_station_status')
      .getMetadata();
    expect(curated.clustering).toEqual({ fields: ['station_id'] });
    // Views over views exist and answer (velib_latest_state reads velib_station_status_dedup).
    const [rows] = await bigquery.query('SELECT COUNT(*) AS n FROM pmp_marts.velib_latest_state');
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('a second run changes nothing and says so', async () => {
    const result = await run();
    expect(hasChanges(result.changes)).toBe(false);
    expect(formatPlan(result.changes)).toMatch(/^no changes: \d+ resources match the manifests/);
  });

  it('plans updates, recreations and deletions; --dry-run applies none of them', async () => {
    // Rows in a table that is about to leave the manifests, and in one whose partitioning changes.
    await bigquery
      .dataset('pmp_ops')
      .table('push_writer_dlq')
      .insert([{ dlq_ts: new Date().toISOString(), writer: 'test', error_type: 'Test' }]);
    edit('messaging.yaml', (t) =>
      t
        .replace(/ackDeadlineSeconds: 120/, 'ackDeadlineSeconds: 90')
        .replace(
          /(name: pmp-events-sub\n[\s\S]*?spec:\n)/,
          '$1  filter: attributes.kind = "audit"\n',
        )
        .replace(
          /apiVersion: pubsub.cnrm.cloud.google.com\/v1beta1\nkind: PubSubTopic\nmetadata:\n {2}name: pmp-budget-alerts\n {2}namespace: pmp-local\nspec:\n {2}resourceID: pmp-budget-alerts\n---\n/,
          '',
        ),
    );
    edit('warehouse.yaml', (t) =>
      t
        .replace("SELECT 'curated' AS dlq", "SELECT 'curated_v2' AS dlq")
        .replace(
          /(name: push-writer-dlq[\s\S]*?timePartitioning:\n {4}field: )dlq_ts/,
          '$1publish_time',
        ),
    );
    const dry = await run({ dryRun: true });
    const byName = new Map(dry.changes.map((c) => [c.name, c]));
    expect(byName.get('pmp-events-dataflow-sub')).toMatchObject({
      action: 'update',
      fields: ['ackDeadlineSeconds'],
    });
    expect(byName.get('pmp-events-sub')).toMatchObject({
      action: 'recreate',
      fields: ['filter'],
    });
    expect(byName.get('pmp-events-sub')?.reason).toMatch(/filter cannot be changed in place/);
    expect(byName.get('pmp-budget-alerts')).toMatchObject({ action: 'delete', kind: 'topic' });
    expect(byName.get('pmp_marts.ops_dlq_counts')).toMatchObject({
      action: 'update',
      fields: ['view.query'],
    });
    expect(byName.get('pmp_ops.push_writer_dlq')).toMatchObject({ action: 'blocked' });
    expect(byName.get('pmp_ops.push_writer_dlq')?.reason).toMatch(/holds 1 row .*--prune-data/);
    const text = formatPlan(dry.changes, { dryRun: true });
    expect(text).toMatch(/~ {3}subscription pmp-events-dataflow-sub \(ackDeadlineSeconds\)/);
    expect(text).toMatch(/- {3}topic {8}pmp-budget-alerts/);
    expect(text).toMatch(/would be created/);

    // Nothing happened.
    const [sub] = await pubsub.subscription('pmp-events-dataflow-sub').getMetadata();
    expect(sub.ackDeadlineSeconds).toBe(120);
    const [exists] = await pubsub.topic('pmp-budget-alerts').exists();
    expect(exists).toBe(true);
  });

  it('applies the plan: in place where the API allows, recreated where not, data kept', async () => {
    await run();
    const [sub] = await pubsub.subscription('pmp-events-dataflow-sub').getMetadata();
    expect(sub.ackDeadlineSeconds).toBe(90);
    const [audit] = await pubsub.subscription('pmp-events-sub').getMetadata();
    expect(audit.filter).toBe('attributes.kind = "audit"');
    expect((await pubsub.topic('pmp-budget-alerts').exists())[0]).toBe(false);
    const [view] = await bigquery.dataset('pmp_marts').table('ops_dlq_counts').getMetadata();
    expect(view.view.query).toContain("'curated_v2'");
    // Blocked: the table holding a row keeps its partitioning and its row.
    const [dlq] = await bigquery.dataset('pmp_ops').table('push_writer_dlq').getMetadata();
    expect(dlq.timePartitioning.field).toBe('dlq_ts');
    expect(Number(dlq.numRows)).toBe(1);
    // And the next run still reports it, so the operator sees it until it is resolved.
    const again = await run();
    expect(again.changes.filter((c) => c.action !== 'unchanged').map((c) => c.name)).toEqual([
      'pmp_ops.push_writer_dlq',
    ]);
  });

  it('deletes a table that left the manifests only with --prune-data; never unmanaged ones', async () => {
    await bigquery.dataset('pmp_ops').createTable('hand_made', {
      schema: { fields: [{ name: 'x', type: 'STRING' }] },
    });
    await pubsub.createTopic('hand-made-topic');
    edit('warehouse.yaml', (t) =>
      t.replace(
        /apiVersion: [^\n]+\nkind: BigQueryTable\nmetadata:\n {2}name: push-writer-dlq\n[\s\S]*?---\n/,
        '',
      ),
    );
    const kept = await run();
    expect(kept.changes.find((c) => c.name === 'pmp_ops.push_writer_dlq')).toMatchObject({
      action: 'kept',
    });
    expect((await bigquery.dataset('pmp_ops').table('push_writer_dlq').exists())[0]).toBe(true);

    const pruned = await run({ pruneData: true });
    expect(pruned.changes.find((c) => c.name === 'pmp_ops.push_writer_dlq')).toMatchObject({
      action: 'delete',
    });
    expect((await bigquery.dataset('pmp_ops').table('push_writer_dlq').exists())[0]).toBe(false);
    expect((await bigquery.dataset('pmp_ops').table('hand_made').exists())[0]).toBe(true);
    expect((await pubsub.topic('hand-made-topic').exists())[0]).toBe(true);
    expect(hasChanges((await run()).changes)).toBe(false);
  });

  it('names the manifest when a reference points nowhere', async () => {
    edit('messaging.yaml', (t) =>
      t.replace(
        'name: pmp-velib-station-info-push-dlq\n    maxDeliveryAttempts',
        'name: no-such-topic\n    maxDeliveryAttempts',
      ),
    );
    await expect(run({ dryRun: true })).rejects.toThrow(
      /messaging.yaml: PubSubSubscription pmp-local\/pmp-velib-station-info-to-bq-sub: deadLetterPolicy.deadLetterTopicRef names PubSubTopic no-such-topic, which no manifest defines/,
    );
  });
});
