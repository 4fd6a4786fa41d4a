import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderClusters, writeClusters } from '../synth.js';
import { diffAgainstRef, diffFields, formatMarkdown, formatText } from './manifest-diff.js';

let repo: string;
const git = (...args: string[]) => {
  const r = spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
};

beforeAll(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'pmp-diff-'));
  git('init', '-q');
  writeClusters(path.join(repo, 'clusters'), renderClusters(['dev', 'prod']));
  git('add', 'clusters');
  git('commit', '-q', '-m', 'base');
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

const edit = (file: string, change: (text: string) => string) => {
  const full = path.join(repo, 'clusters', file);
  writeFileSync(full, change(readFileSync(full, 'utf8')));
};

describe('pmp diff', () => {
  it('reports nothing when the working tree matches the base', () => {
    const diff = diffAgainstRef(repo, 'HEAD');
    expect([diff.added, diff.removed, diff.changed]).toEqual([[], [], []]);
    expect(formatMarkdown(diff)).toContain('No object under `clusters/` changes.');
  });

  it('lists added, removed and changed objects with field paths', () => {
    edit('dev/config-sync/messaging.yaml', (t) =>
      t
        .replace('ackDeadlineSeconds: 120', 'ackDeadlineSeconds: 90')
        .replace('name: pmp-budget-alerts\n', 'name: pmp-budget-alerts-v2\n')
        .replace('resourceID: pmp-budget-alerts\n', 'resourceID: pmp-budget-alerts-v2\n'),
    );
    edit('prod/cloud-run/pmp-bq-writer.yaml', (t) =>
      t.replace('value: pmp_raw', 'value: pmp_raw_v2').replace('ingress: internal', 'ingress: all'),
    );
    const diff = diffAgainstRef(repo, 'HEAD');
    expect(diff.added.map((a) => a.object)).toEqual([
      'dev PubSubTopic pmp-dev/pmp-budget-alerts-v2',
    ]);
    expect(diff.removed.map((a) => a.object)).toEqual([
      'dev PubSubTopic pmp-dev/pmp-budget-alerts',
    ]);
    expect(diff.changed.map((c) => [c.object, c.fields])).toEqual([
      [
        'dev PubSubSubscription pmp-dev/pmp-events-dataflow-sub',
        [{ path: 'spec.ackDeadlineSeconds', before: 120, after: 90 }],
      ],
      [
        'prod Service pmp-prod-paris/pmp-bq-writer',
        [
          {
            path: 'metadata.annotations.run.googleapis.com/ingress',
            before: 'internal',
            after: 'all',
          },
          {
            path: 'spec.template.spec.containers[0].env[BQ_DATASET].value',
            before: 'pmp_raw',
            after: 'pmp_raw_v2',
          },
        ],
      ],
    ]);
    const text = formatText(diff);
    expect(text).toContain('clusters/ against HEAD: 1 added, 1 removed, 2 changed');
    expect(text).toContain('    spec.ackDeadlineSeconds: 120 → 90');
    const markdown = formatMarkdown(diff);
    expect(markdown).toContain('| added | `dev PubSubTopic pmp-dev/pmp-budget-alerts-v2` |');
    expect(markdown).toContain(
      '| `spec.template.spec.containers[0].env[BQ_DATASET].value` | `"pmp_raw"` | `"pmp_raw_v2"` |',
    );
    expect(markdown).toContain('needs a review from the prod code owners');
  });

  it('fails clearly on an unknown ref', () => {
    expect(() => diffAgainstRef(repo, 'no-such-ref')).toThrow(/git ls-tree .* failed/);
  });

  it('diffs fields: nested, unset and positional', () => {
    expect(diffFields({ a: { b: 1 }, l: [1, 2] }, { a: { b: 2, c: 3 }, l: [1, 2, 3] })).toEqual([
      { path: 'a.b', before: 1, after: 2 },
      { path: 'a.c', before: undefined, after: 3 },
      { path: 'l', before: [1, 2], after: [1, 2, 3] },
    ]);
  });
});
