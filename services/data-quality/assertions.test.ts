import { describe, expect, it } from 'vitest';
import { parseAssertion, readAssertions } from './assertions.js';

describe('parseAssertion', () => {
  it('reads severity, description and needs from the leading comments', () => {
    const a = parseAssertion(
      'x',
      '-- severity: warn\n-- description: d\n-- needs: collecting\nSELECT 1\n-- severity: error',
    );
    expect(a).toMatchObject({
      name: 'x',
      severity: 'warn',
      description: 'd',
      needsCollecting: true,
    });
  });

  it('refuses a missing or unknown severity, naming the file', () => {
    expect(() => parseAssertion('y', '-- description: d\nSELECT 1')).toThrow(
      'sql/assertions/y.sql: "-- severity:" must be error or warn',
    );
    expect(() => parseAssertion('y', '-- severity: fatal\n-- description: d\nSELECT 1')).toThrow(
      TypeError,
    );
  });

  it('refuses a missing description and an unknown need', () => {
    expect(() => parseAssertion('z', '-- severity: error\nSELECT 1')).toThrow(/description/);
    expect(() =>
      parseAssertion('z', '-- severity: error\n-- description: d\n-- needs: luck\nSELECT 1'),
    ).toThrow(/needs/);
  });
});

describe('sql/assertions', () => {
  it('cover the kinds the warehouse needs, each with a header', () => {
    const names = readAssertions().map((a) => a.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'curated_dedup_unique',
        'raw_one_row_per_snapshot',
        'curated_keys_not_null',
        'curated_flags_accepted_values',
        'curated_counts_not_negative',
        'curated_bike_types_add_up',
        'curated_within_capacity',
        'curated_station_known',
        'curated_snapshot_has_raw',
        'raw_snapshot_has_curated',
        'curated_fresh',
        'dlq_growth',
      ]),
    );
  });
});
