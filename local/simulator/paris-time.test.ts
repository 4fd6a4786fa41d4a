import { describe, expect, it } from 'vitest';
import { commutePhase, inRebalancingWindow, tripsPerMinute } from './demand.js';
import { parisClock } from './paris-time.js';

describe('parisClock', () => {
  it.each([
    // winter time, UTC+1
    ['2025-01-15T07:30:00Z', 8.5, false],
    // spring forward on 2025-03-30: 02:00 CET becomes 03:00 CEST
    ['2025-03-30T00:30:00Z', 1.5, true],
    ['2025-03-30T01:30:00Z', 3.5, true],
    // summer time, UTC+2
    ['2025-10-20T06:00:00Z', 8, false],
    // fall back on 2025-10-26: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice
    ['2025-10-26T00:30:00Z', 2.5, true],
    ['2025-10-26T01:30:00Z', 2.5, true],
    // Sunday 22:15 UTC is already Monday in Paris
    ['2025-10-19T22:15:00Z', 0.25, false],
  ])('%s is %s h in Paris (weekend: %s)', (iso, hour, weekend) => {
    expect(parisClock(Date.parse(iso))).toEqual({ hour, weekend });
  });
});

describe('demand', () => {
  const at = (iso: string) => parisClock(Date.parse(iso));

  it('peaks with weekday commuters around 08–09 and 17–19 Paris time', () => {
    const night = tripsPerMinute(at('2025-10-20T01:00:00Z'));
    const morning = tripsPerMinute(at('2025-10-20T06:30:00Z'));
    const midday = tripsPerMinute(at('2025-10-20T12:00:00Z'));
    const evening = tripsPerMinute(at('2025-10-20T16:30:00Z'));
    expect(morning).toBeGreaterThan(2 * midday);
    expect(evening).toBeGreaterThan(2 * midday);
    expect(midday).toBeGreaterThan(5 * night);
    expect(commutePhase(at('2025-10-20T06:30:00Z'))).toBe('morning');
    expect(commutePhase(at('2025-10-20T16:30:00Z'))).toBe('evening');
    expect(commutePhase(at('2025-10-20T12:00:00Z'))).toBe('none');
  });

  it('has no commuter peaks at weekends', () => {
    const saturday = at('2025-10-18T06:30:00Z');
    expect(commutePhase(saturday)).toBe('none');
    expect(tripsPerMinute(at('2025-10-18T13:00:00Z'))).toBeGreaterThan(tripsPerMinute(saturday));
  });

  it('rebalances between 01:00 and 05:00 Paris time', () => {
    expect(inRebalancingWindow(at('2025-10-19T23:30:00Z'))).toBe(true); // 01:30 CEST
    expect(inRebalancingWindow(at('2025-10-20T03:30:00Z'))).toBe(false); // 05:30 CEST
    expect(inRebalancingWindow(at('2025-01-15T03:30:00Z'))).toBe(true); // 04:30 CET
  });
});
