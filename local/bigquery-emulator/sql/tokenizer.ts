import { UnsupportedSqlError, positionOf } from './errors.js';

export type TokenKind =
  | 'ident' // plain word: identifier or keyword (`upper` tells which)
  | 'qident' // `backtick quoted` identifier or path
  | 'string'
  | 'bytes'
  | 'number'
  | 'param' // @name
  | 'qparam' // ?
  | 'sysvar' // @@name
  | 'op';

export interface Token {
  readonly kind: TokenKind;
  /** Source text exactly as written. */
  readonly text: string;
  /** Decoded value: identifier name, string contents, parameter name, operator text. */
  readonly value: string;
  /** Upper-cased `value`, to compare keywords. */
  readonly upper: string;
  /** Bytes of a `b'...'` literal. */
  readonly bytes?: Uint8Array;
  /** 0-based offsets into the SQL text. */
  readonly start: number;
  readonly end: number;
}

const MULTI_CHAR_OPS = ['<=', '>=', '<>', '!=', '||', '<<', '>>', '=>', '->'];
const SINGLE_CHAR_OPS = new Set([...'+-*/=<>()[],.;~&|^:{}%!']);

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
  '?': 63,
  '"': 34,
  "'": 39,
  '`': 96,
};

/** Splits BigQuery Standard SQL into tokens, following BigQuery's lexical rules. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const fail = (construct: string, at: number, detail?: string): never => {
    throw new UnsupportedSqlError(construct, positionOf(sql, at), detail);
  };
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if ((c === '-' && sql[i + 1] === '-') || c === '#') {
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) fail('comment', i, 'Syntax error: unclosed comment');
      i = close + 2;
      continue;
    }
    const start = i;
    // String and bytes literals, with optional r/b prefixes in any order and case.
    const prefix = /^(?:[rR][bB]?|[bB][rR]?)?(?=['"])/.exec(sql.slice(i, i + 3));
    if (prefix && (prefix[0].length > 0 || c === "'" || c === '"')) {
      const flags = prefix[0].toLowerCase();
      const raw = flags.includes('r');
      const isBytes = flags.includes('b');
      i += prefix[0].length;
      const q = sql[i]!;
      const triple = sql.startsWith(q.repeat(3), i);
      const delim = triple ? q.repeat(3) : q;
      i += delim.length;
      const codes: number[] = [];
      for (;;) {
        if (i >= n) fail('string literal', start, 'Syntax error: unclosed string literal');
        if (sql.startsWith(delim, i)) {
          i += delim.length;
          break;
        }
        const ch = sql[i]!;
        if (!triple && ch === '\n') {
          fail('string literal', start, 'Syntax error: unclosed string literal');
        }
        if (ch === '\\') {
          if (raw) {
            // Raw strings keep the backslash, but it still protects the next character.
            codes.push(92);
            const next = sql.codePointAt(i + 1);
            if (next !== undefined) codes.push(next);
            i += next !== undefined && next > 0xffff ? 3 : 2;
            continue;
          }
          const e = sql[i + 1] ?? '';
          if (e in SIMPLE_ESCAPES) {
            codes.push(SIMPLE_ESCAPES[e]!);
            i += 2;
          } else if (/[0-7]/.test(e)) {
            const oct = sql.slice(i + 1, i + 4);
            if (!/^[0-7]{3}$/.test(oct)) fail('escape sequence', i, 'Illegal escape sequence');
            codes.push(parseInt(oct, 8));
            i += 4;
          } else if (e === 'x' || e === 'X') {
            const hex = sql.slice(i + 2, i + 4);
            if (!/^[0-9a-fA-F]{2}$/.test(hex))
              fail('escape sequence', i, 'Illegal escape sequence');
            codes.push(parseInt(hex, 16));
            i += 4;
          } else if (e === 'u' || e === 'U') {
            const len = e === 'u' ? 4 : 8;
            const hex = sql.slice(i + 2, i + 2 + len);
            if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex) || isBytes) {
              fail('escape sequence', i, 'Illegal escape sequence');
            }
            codes.push(parseInt(hex, 16));
            i += 2 + len;
          } else {
            fail('escape sequence', i, `Illegal escape sequence: \\${e}`);
          }
          continue;
        }
        const cp = sql.codePointAt(i)!;
        codes.push(cp);
        i += cp > 0xffff ? 2 : 1;
      }
      const text = sql.slice(start, i);
      if (isBytes) {
        const bytes: number[] = [];
        for (const cp of codes) {
          if (cp < 0x80) bytes.push(cp);
          else if (cp <= 0xff && !raw) bytes.push(cp);
          else bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
        }
        const arr = Uint8Array.from(bytes);
        tokens.push({ kind: 'bytes', text, value: text, upper: text, bytes: arr, start, end: i });
      } else {
        const value = String.fromCodePoint(...codes);
        tokens.push({ kind: 'string', text, value, upper: value, start, end: i });
      }
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      while (i < n && /[A-Za-z0-9_]/.test(sql[i]!)) i++;
      const value = sql.slice(start, i);
      tokens.push({ kind: 'ident', text: value, value, upper: value.toUpperCase(), start, end: i });
      continue;
    }
    if (c === '`') {
      i++;
      let value = '';
      for (;;) {
        if (i >= n) fail('quoted identifier', start, 'Syntax error: unclosed identifier literal');
        const ch = sql[i]!;
        if (ch === '`') {
          i++;
          break;
        }
        if (ch === '\\') {
          const e = sql[i + 1] ?? '';
          if (!(e in SIMPLE_ESCAPES)) fail('escape sequence', i, `Illegal escape sequence: \\${e}`);
          value += String.fromCharCode(SIMPLE_ESCAPES[e]!);
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      if (value === '') fail('quoted identifier', start, 'Syntax error: empty identifier');
      tokens.push({
        kind: 'qident',
        text: sql.slice(start, i),
        value,
        upper: value.toUpperCase(),
        start,
        end: i,
      });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(?:0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/.exec(
        sql.slice(i),
      )!;
      i += m[0].length;
      // `1.` followed by a letter would be a path like `project-1.dataset`: give the dot back.
      let text = m[0];
      if (text.endsWith('.') && /[A-Za-z_]/.test(sql[i] ?? '')) {
        text = text.slice(0, -1);
        i--;
      }
      tokens.push({ kind: 'number', text, value: text, upper: text.toUpperCase(), start, end: i });
      continue;
    }
    if (c === '@') {
      if (sql[i + 1] === '@') {
        i += 2;
        while (i < n && /[A-Za-z0-9_.]/.test(sql[i]!)) i++;
        const value = sql.slice(start + 2, i);
        tokens.push({
          kind: 'sysvar',
          text: sql.slice(start, i),
          value,
          upper: value.toUpperCase(),
          start,
          end: i,
        });
        continue;
      }
      i++;
      let value: string;
      if (sql[i] === '`') {
        const close = sql.indexOf('`', i + 1);
        if (close < 0) fail('query parameter', start, 'Syntax error: unclosed parameter name');
        value = sql.slice(i + 1, close);
        i = close + 1;
      } else {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i));
        if (!m) fail('query parameter', start, 'Syntax error: expected a parameter name after @');
        value = m![0];
        i += value.length;
      }
      tokens.push({
        kind: 'param',
        text: sql.slice(start, i),
        value,
        upper: value.toUpperCase(),
        start,
        end: i,
      });
      continue;
    }
    if (c === '?') {
      i++;
      tokens.push({ kind: 'qparam', text: '?', value: '?', upper: '?', start, end: i });
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (MULTI_CHAR_OPS.includes(two)) {
      i += 2;
      tokens.push({ kind: 'op', text: two, value: two, upper: two, start, end: i });
      continue;
    }
    if (SINGLE_CHAR_OPS.has(c)) {
      i++;
      tokens.push({ kind: 'op', text: c, value: c, upper: c, start, end: i });
      continue;
    }
    fail(
      `character ${JSON.stringify(c)}`,
      i,
      `Syntax error: illegal input character ${JSON.stringify(c)}`,
    );
  }
  return tokens;
}
