import { describe, expect, it } from 'vitest';
import { supportedFunctions } from './index.js';

describe('the function registry', () => {
  // A name in two families throws as the registry is built, so importing it is that check.
  it('holds every family', () => {
    const names = supportedFunctions();
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
