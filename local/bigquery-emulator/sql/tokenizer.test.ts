import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../testing/duckdb-harness.js';
import { UnsupportedSqlError } from './errors.js';
import { tokenize } from './tokenizer.js';

const kinds = (sql: string) => tokenize(sql).map((t) => `${t.kind}:${t.value}`);

describe('tokenize', () => {
  it('reads backtick identifiers, including dotted paths and escapes', () => {
    expect(kinds('`my-project.ds.t` `a`.b `we\\`ird`')).toEqual([
      'qident:my-project.ds.t',
      'qident:a',
      'op:.',
      'ident:b',
      'qident:we`ird',
    ]);
  });

  it('reads r/b prefixes in any case and order, triple quotes and both quote characters', () => {
    const toks = tokenize(`r'\\d' B"x" rb'\\x41' '''a'b''' """c"d""" "e\\"f"`);
    expect(toks.map((t) => t.kind)).toEqual([
      'string',
      'bytes',
      'bytes',
      'string',
      'string',
      'string',
    ]);
    expect(toks[0]!.value).toBe('\\d');
    expect([...toks[2]!.bytes!]).toEqual([...Buffer.from('\\x41')]);
    expect([...toks[1]!.bytes!]).toEqual([0x78]);
    expect(toks[3]!.value).toBe("a'b");
    expect(toks[4]!.value).toBe('c"d');
    expect(toks[5]!.value).toBe('e"f');
  });

  it('decodes escapes: \\n \\t \\x41 \\u00e9 \\101 \\\\', () => {
    expect(tokenize(`'\\n\\t\\x41\\u00e9\\101\\\\'`)[0]!.value).toBe('\n\tAéA\\');
  });

  it('skips --, # and /* */ comments', () => {
    expect(kinds('SELECT -- one\n 1 # two\n /* three\n */ + 2')).toEqual([
      'ident:SELECT',
      'number:1',
      'op:+',
      'number:2',
    ]);
  });

  it('reads named, quoted-named and positional parameters and system variables', () => {
    expect(kinds('@a @`b c` ? @@x.y')).toEqual(['param:a', 'param:b c', 'qparam:?', 'sysvar:x.y']);
  });

  it('reads numbers: integers, decimals, exponents, hex, and leaves a dot before a name alone', () => {
    expect(kinds('1 1.5 .5 1e3 2E-2 0x1F p-1.ds')).toEqual([
      'number:1',
      'number:1.5',
      'number:.5',
      'number:1e3',
      'number:2E-2',
      'number:0x1F',
      'ident:p',
      'op:-',
      'number:1',
      'op:.',
      'ident:ds',
    ]);
  });

  it('reports unclosed literals and bad characters with their position', () => {
    const at = (sql: string) => {
      try {
        tokenize(sql);
      } catch (e) {
        expect(e).toBeInstanceOf(UnsupportedSqlError);
        return (e as UnsupportedSqlError).position;
      }
      throw new Error('expected an error');
    };
    expect(at("SELECT\n  'abc")).toEqual({ line: 2, column: 3 });
    expect(at('SELECT `abc')).toEqual({ line: 1, column: 8 });
    expect(at('SELECT 1 /* x')).toEqual({ line: 1, column: 10 });
    expect(at('SELECT $1')).toEqual({ line: 1, column: 8 });
    expect(at("SELECT '\\q'")).toEqual({ line: 1, column: 9 });
  });
});

describe('string literals survive translation unchanged (property)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('any text written as a BigQuery escaped literal comes back from DuckDB as the same text', async () => {
    const bigQueryLiteral = (s: string) =>
      `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('\0')),
        async (s) => {
          const rows = await h.query(`SELECT ${bigQueryLiteral(s)} AS v`);
          expect(rows[0]!.v).toBe(s);
        },
      ),
      { numRuns: 60 },
    );
  });
});
