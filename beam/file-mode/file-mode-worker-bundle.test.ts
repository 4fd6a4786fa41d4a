import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ABANDONED_TEMP_MS,
  buildWorkerBundle,
  findRecordedBundle,
  INPUTS_RECORD,
  KEPT_BUNDLES,
  pruneWorkerBundles,
  storeWorkerBundle,
} from './file-mode-worker-bundle.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');

describe('the file-mode worker bundle directory', () => {
  let dir: string;
  let dirUrl: URL;
  /** Creates `name` in the directory, last used `ageMs` before NOW. */
  const file = (name: string, ageMs: number) => {
    const path = join(dir, name);
    writeFileSync(path, `// ${name}`);
    const seconds = (NOW - ageMs) / 1000;
    utimesSync(path, seconds, seconds);
  };
  const names = () => readdirSync(dir).sort();
  const bundleName = (i: number) => `worker-${i.toString(16).padStart(16, '0')}.mjs`;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pmp-bundles-'));
    dirUrl = pathToFileURL(`${dir}/`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the most recently used bundles and removes the rest and abandoned temporary files', () => {
    for (let i = 1; i <= 6; i += 1) file(bundleName(i), i * 60_000);
    file('worker-00000000000000aa.123.tmp', ABANDONED_TEMP_MS + 1_000); // a dead writer's
    file('worker-00000000000000bb.456.tmp', 1_000); // being written now
    file('notes.txt', 10 * ABANDONED_TEMP_MS); // not ours
    pruneWorkerBundles(dirUrl, 3, NOW);
    expect(names()).toEqual(
      [
        bundleName(1),
        bundleName(2),
        bundleName(3),
        'worker-00000000000000bb.456.tmp',
        'notes.txt',
      ].sort(),
    );
  });

  it('stores a bundle under its content hash once, marks it used when found again, prunes older ones', () => {
    for (let i = 1; i <= KEPT_BUNDLES + 2; i += 1) file(bundleName(i), i * 60_000);
    const code = new TextEncoder().encode('export const answer = 42;\n');
    const stored = storeWorkerBundle(code, dirUrl, NOW - 30_000);
    expect(readFileSync(stored, 'utf8')).toBe('export const answer = 42;\n');
    expect(names()).toHaveLength(KEPT_BUNDLES);
    expect(names()).toContain(stored.pathname.split('/').pop());

    // Found again later: the same file, now the most recently used, nothing written beside it.
    file(bundleName(99), 1_000);
    const again = storeWorkerBundle(code, dirUrl, NOW);
    expect(again.href).toBe(stored.href);
    pruneWorkerBundles(dirUrl, 1, NOW);
    expect(names()).toEqual([stored.pathname.split('/').pop()]);
  });

  it('reuses the recorded bundle while its sources are unchanged, and builds again when one changes', async () => {
    const src = mkdtempSync(join(tmpdir(), 'pmp-bundle-src-'));
    try {
      const entry = join(src, 'entry.ts');
      writeFileSync(join(src, 'answer.ts'), 'export const answer: number = 42;\n');
      writeFileSync(
        entry,
        "import { answer } from './answer.js';\nexport const doubled = answer * 2;\n",
      );
      expect(findRecordedBundle(dirUrl, NOW)).toBeNull(); // nothing recorded yet

      const built = buildWorkerBundle(entry, dirUrl, NOW);
      expect(names()).toContain(INPUTS_RECORD);
      expect(findRecordedBundle(dirUrl, NOW)?.href).toBe(built.href);
      expect(((await import(built.href)) as { doubled: number }).doubled).toBe(84);

      // An imported module (not the entry) changes: the record no longer holds.
      writeFileSync(join(src, 'answer.ts'), 'export const answer: number = 21;\n');
      expect(findRecordedBundle(dirUrl, NOW)).toBeNull();
      const rebuilt = buildWorkerBundle(entry, dirUrl, NOW);
      expect(rebuilt.href).not.toBe(built.href);
      expect(findRecordedBundle(dirUrl, NOW)?.href).toBe(rebuilt.href);

      // The recorded bundle pruned by another process: build again rather than start on nothing.
      rmSync(rebuilt);
      expect(findRecordedBundle(dirUrl, NOW)).toBeNull();
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });
});
