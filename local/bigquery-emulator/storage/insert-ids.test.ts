import { describe, expect, it } from 'vitest';
import { InsertIdCache } from './insert-ids.js';

describe('InsertIdCache', () => {
  it('accepts an id once per window and per table, again after the window', () => {
    const cache = new InsertIdCache(60_000);
    const claim = cache.claimer('p:d.t', 0);
    expect([claim('a'), claim('a'), claim('b')]).toEqual([true, false, true]);
    expect(cache.claimer('p:d.other', 0)('a')).toBe(true);
    expect(cache.claimer('p:d.t', 59_999)('a')).toBe(false);
    expect(cache.claimer('p:d.t', 60_000)('a')).toBe(true);
  });

  it('gives back the ids of a request that was not stored', () => {
    const cache = new InsertIdCache(60_000);
    expect(cache.claimer('t', 0)('a')).toBe(true);
    cache.release('t', ['a']);
    expect(cache.claimer('t', 1)('a')).toBe(true);
  });

  it('forgets expired ids as requests of any size come in, so memory stays bounded', () => {
    const cache = new InsertIdCache(1_000);
    // 1,500-row requests, one a second: far more ids than one window holds.
    for (let request = 0; request < 200; request++) {
      const claim = cache.claimer('t', request * 1_000);
      for (let i = 0; i < 1_500; i++) claim(`${request}:${i}`);
    }
    const held = (cache as unknown as { byTable: Map<string, Map<string, number>> }).byTable.get(
      't',
    )!;
    expect(held.size).toBeLessThanOrEqual(100_000 + 1_500);
    expect(cache.claimer('t', 199_000)('199:0')).toBe(false);
  });
});
