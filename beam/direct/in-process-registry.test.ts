import '../beam-sdk.js';
import * as beam from 'apache-beam/transforms';
import { impulse } from 'apache-beam/transforms/internal';
import { describe, expect, it } from 'vitest';
import { runOnDirectRunner } from './direct-run.js';
import { HandoffSourceDoFn } from '../streaming/in-process-io.js';
import { InProcessRegistry } from './in-process-registry.js';

const GUARD = /^no test entry #\d+: these DoFns run only on the in-process DirectRunner/;

describe('InProcessRegistry', () => {
  it('holds an entry for as long as its run, under a fresh key each time', async () => {
    const registry = new InProcessRegistry<string[]>('test entry');
    const keys: number[] = [];
    for (const entry of [['a'], ['b']]) {
      const seen = await registry.with(entry, async (key) => {
        keys.push(key);
        return registry.get(key);
      });
      expect(seen).toBe(entry);
    }
    expect(new Set(keys).size).toBe(2);
    for (const key of keys) expect(() => registry.get(key)).toThrow(GUARD);
  });

  it('forgets the entry when the run fails', async () => {
    const registry = new InProcessRegistry<number>('test entry');
    let key = 0;
    await expect(
      registry.with(1, (k) => {
        key = k;
        return Promise.reject(new Error('run failed'));
      }),
    ).rejects.toThrow('run failed');
    expect(() => registry.get(key)).toThrow(GUARD);
  });

  it('a DoFn whose key this thread never registered fails the run instead of dropping data', async () => {
    await expect(
      runOnDirectRunner((root) =>
        root.apply(impulse()).apply(beam.parDo(new HandoffSourceDoFn(1_000_000))),
      ),
    ).rejects.toThrow(/no in-process hand-over #1000000: these DoFns run only on the in-process/);
  });
});
