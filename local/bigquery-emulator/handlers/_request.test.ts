import { describe, expect, it } from 'vitest';
import { parseJsonBody } from './_request.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

describe('parseJsonBody', () => {
  it('reads ASCII and UTF-8 bodies, with or without a byte-order mark, as the same values', () => {
    const value = { rows: [{ json: { s: 'é ✓ 😀', t: 'plain', u: '\u0000' } }] };
    const utf8 = Buffer.from(JSON.stringify(value), 'utf8');
    const ascii = Buffer.from(JSON.stringify(value).replace(/[^\x20-\x7e]/g, escapeChar), 'utf8');
    expect(ascii.every((b) => b < 0x80)).toBe(true);
    for (const body of [utf8, ascii, Buffer.concat([BOM, utf8]), Buffer.concat([BOM, ascii])]) {
      expect(parseJsonBody(body)).toEqual(value);
    }
  });

  it('decodes invalid UTF-8 as replacement characters, as before the ASCII shortcut', () => {
    const body = Buffer.concat([
      Buffer.from('{"s":"a'),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('"}'),
    ]);
    expect(parseJsonBody(body)).toEqual({ s: 'a\ufffd\ufffd' });
  });

  it('gives {} for an empty body and an invalid error for anything but a JSON object', () => {
    expect(parseJsonBody(Buffer.from(' \n'))).toEqual({});
    expect(parseJsonBody(BOM)).toEqual({});
    expect(() => parseJsonBody(Buffer.from('{"rows": ['))).toThrow(/Invalid JSON payload/);
    expect(() => parseJsonBody(Buffer.from('[1]'))).toThrow(/must be an object/);
  });
});

/** A UTF-16 code unit as a JSON escape (surrogate pairs become two escapes, as JSON allows). */
function escapeChar(unit: string): string {
  return `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
