import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, parseFilter } from './parse-filter.js';

const attrs = { source: 'velib', 'event-type': 'station_status_snapshot', replay: 'true' };

describe('parseFilter', () => {
  it.each([
    ['', true],
    ['attributes.source = "velib"', true],
    ['attributes.source = "other"', false],
    ['attributes.source != "other"', true],
    ['attributes:replay', true],
    ['attributes:missing', false],
    ['NOT attributes:replay', false],
    ['-attributes:replay', false],
    ['hasPrefix(attributes.event-type, "station_")', true],
    ['hasPrefix(attributes.missing, "")', false],
    ['attributes.source = "velib" AND attributes:replay', true],
    ['attributes.source = "x" OR attributes:replay', true],
    ['(attributes.source = "x" OR attributes:replay) AND NOT attributes:missing', true],
    ['attributes."event-type" = "station_status_snapshot"', true],
  ])('%s → %s', (source, expected) => {
    expect(parseFilter(source)(attrs)).toBe(expected);
  });

  it.each([
    'attributes.a = "x" AND attributes.b = "y" OR attributes.c = "z"',
    'attributes.a = x',
    'attributes.a =',
    'foo.a = "x"',
    '(attributes:a',
    'attributes:a)',
    'attributes.a = "x',
    'hasPrefix(attributes.a)',
    'attributes.a > "x"',
  ])('rejects %s', (source) => {
    expect(() => parseFilter(source)).toThrow(FilterSyntaxError);
  });
});
