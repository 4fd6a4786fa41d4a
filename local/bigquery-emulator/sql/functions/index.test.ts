import { describe, expect, it } from 'vitest';
import { supportedFunctions } from './index.js';

describe('the function registry', () => {
  it('holds every family once, a name in one family only', () => {
    const names = supportedFunctions();
    expect(new Set(names).size).toBe(names.length);
    // One from each family file, and the names that are spelled two ways.
    expect(names).toEqual(
      expect.arrayContaining([
        'IF',
        'COALESCE',
        'SAFE_DIVIDE',
        'ABS',
        'CAST',
        'SAFE_CAST',
        'CONCAT',
        'REGEXP_SUBSTR',
        'SHA256',
        'LOWER',
        'ARRAY_AGG',
        'COUNTIF',
        'ROW_NUMBER',
        'GENERATE_DATE_ARRAY',
        'JSON_EXTRACT_SCALAR',
        'TIMESTAMP_TRUNC',
        'CURRENT_DATE',
        'FORMAT_TIMESTAMP',
        'PARSE_DATE',
      ]),
    );
  });
});
