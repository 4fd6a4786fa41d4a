import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLUSTERS_DIR } from './paths.js';
import { diffClusters, listFiles, renderClusters, writeClusters } from './synth.js';

describe('synth', () => {
  const first = renderClusters();

  it('renders identical bytes twice', () => {
    const second = renderClusters();
    expect([...second.entries()]).toEqual([...first.entries()]);
  });

  it('matches the committed clusters/ (run `npm run synth` after changing a chart)', () => {
    expect(diffClusters(CLUSTERS_DIR, first)).toEqual([]);
  });

  it('lays out every environment with one Kptfile per package', () => {
    const packages = new Set([...first.keys()].map((f) => path.dirname(f)));
    expect([...packages].sort()).toEqual([
      'dev/bootstrap',
      'dev/cloud-run',
      'dev/config-sync',
      'dev/demo',
      'local/cloud-run',
      'local/config-sync',
      'local/demo',
      'local/k8s',
      'prod/bootstrap',
      'prod/cloud-run',
      'prod/config-sync',
      'prod/demo',
    ]);
    for (const pkg of packages) expect(first.has(`${pkg}/Kptfile`), pkg).toBe(true);
  });

  it('writes, then reports changed, missing and stray files', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pmp-synth-'));
    try {
      writeClusters(dir, first);
      expect(listFiles(dir)).toEqual([...first.keys()].sort());
      const changed = new Map(first);
      changed.set('dev/demo/scheduling.yaml', 'x');
      changed.delete('dev/demo/Kptfile');
      changed.set('dev/demo/new.yaml', 'y');
      expect(diffClusters(dir, changed)).toEqual([
        'changed: dev/demo/scheduling.yaml',
        'missing: dev/demo/new.yaml',
        'not rendered by any chart: dev/demo/Kptfile',
      ]);
      expect(readFileSync(path.join(dir, 'dev/demo/scheduling.yaml'), 'utf8')).toContain(
        'pmp-velib-poll-every-minute',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
