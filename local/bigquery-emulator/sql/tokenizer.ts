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
  const lexer = new Lexer(sql);
  while (lexer.i < sql.length) lexer.step();
  return lexer.tokens;
}

/** One pass over the SQL text: `step` reads one token (or skips blanks and comments). */
class Lexer {
  readonly tokens: Token[] = [];
  i = 0;

  constructor(private readonly sql: string) {}

  fail(construct: string, at: number, detail?: string): never {
    throw new UnsupportedSqlError(construct, positionOf(this.sql, at), detail);
  }

  step(): void {
    const { sql } = this;
    const c = sql[this.i]!;
    if (this.skipBlank(c)) return;
    const start = this.i;
    // String and bytes literals, with optional r/b prefixes in any order and case.
    const prefix = /^(?:[rR][bB]?|[bB][rR]?)?(?=['"])/.exec(sql.slice(start, start + 3));
    if (prefix && (prefix[0].length > 0 || c === "'" || c === '"')) return this.string(prefix[0]);
    if (/[A-Za-z_]/.test(c)) return this.word();
    if (c === '`') return this.quotedIdent();
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[start + 1] ?? ''))) return this.number();
    if (c === '@') return sql[start + 1] === '@' ? this.sysvar() : this.param();
    if (c === '?') {
      this.i++;
      return this.push('qparam', '?', '?', start);
    }
    const two = sql.slice(start, start + 2);
    if (MULTI_CHAR_OPS.includes(two)) {
      this.i += 2;
      return this.push('op', two, two, start);
    }
    if (SINGLE_CHAR_OPS.has(c)) {
      this.i++;
      return this.push('op', c, c, start);
    }
    this.fail(
      `character ${JSON.stringify(c)}`,
      start,
      `Syntax error: illegal input character ${JSON.stringify(c)}`,
    );
  }

  private push(kind: TokenKind, text: string, value: string, start: number): void {
    this.tokens.push({ kind, text, value, upper: value.toUpperCase(), start, end: this.i });
  }

  /** White space and comments (`--`, `#` and block comments); true when something was skipped. */
  private skipBlank(c: string): boolean {
    const { sql } = this;
    if (/\s/.test(c)) {
      this.i++;
      return true;
    }
    if ((c === '-' && sql[this.i + 1] === '-') || c === '#') {
      while (this.i < sql.length && sql[this.i] !== '\n') this.i++;
      return true;
    }
    if (c === '/' && sql[this.i + 1] === '*') {
      const close = sql.indexOf('*/', this.i + 2);
      if (close < 0) this.fail('comment', this.i, 'Syntax error: unclosed comment');
      this.i = close + 2;
      return true;
    }
    return false;
  }

  /** A string or bytes literal after its `r`/`b` prefix (`flags`), single or triple quoted. */
  private string(flags: string): void {
    const { sql } = this;
    const start = this.i;
    const raw = /r/i.test(flags);
    const isBytes = /b/i.test(flags);
    this.i += flags.length;
    const q = sql[this.i]!;
    const triple = sql.startsWith(q.repeat(3), this.i);
    const delim = triple ? q.repeat(3) : q;
    this.i += delim.length;
    const codes: number[] = [];
    for (;;) {
      if (this.i >= sql.length)
        this.fail('string literal', start, 'Syntax error: unclosed string literal');
      if (sql.startsWith(delim, this.i)) {
        this.i += delim.length;
        break;
      }
      const ch = sql[this.i]!;
      if (!triple && ch === '\n') {
        this.fail('string literal', start, 'Syntax error: unclosed string literal');
      }
      if (ch === '\\') {
        if (raw) this.rawEscape(codes);
        else codes.push(this.escape(isBytes));
        continue;
      }
      const cp = sql.codePointAt(this.i)!;
      codes.push(cp);
      this.i += cp > 0xffff ? 2 : 1;
    }
    this.literal(sql.slice(start, this.i), codes, raw, isBytes, start);
  }

  /** Raw strings keep the backslash, but it still protects the next character. */
  private rawEscape(codes: number[]): void {
    codes.push(92);
    const next = this.sql.codePointAt(this.i + 1);
    if (next !== undefined) codes.push(next);
    this.i += next !== undefined && next > 0xffff ? 3 : 2;
  }

  /** The code point of the escape sequence at the backslash under the cursor. */
  private escape(isBytes: boolean): number {
    const { sql, i } = this;
    const e = sql[i + 1] ?? '';
    if (e in SIMPLE_ESCAPES) {
      this.i += 2;
      return SIMPLE_ESCAPES[e]!;
    }
    if (/[0-7]/.test(e)) {
      const oct = sql.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) this.fail('escape sequence', i, 'Illegal escape sequence');
      this.i += 4;
      return parseInt(oct, 8);
    }
    if (e === 'x' || e === 'X') {
      const hex = sql.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) this.fail('escape sequence', i, 'Illegal escape sequence');
      this.i += 4;
      return parseInt(hex, 16);
    }
    if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const hex = sql.slice(i + 2, i + 2 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex) || isBytes) {
        this.fail('escape sequence', i, 'Illegal escape sequence');
      }
      this.i += 2 + len;
      return parseInt(hex, 16);
    }
    return this.fail('escape sequence', i, `Illegal escape sequence: \\${e}`);
  }

  /** Pushes a string token, or a bytes token holding the literal's bytes. */
  private literal(text: string, codes: number[], raw: boolean, isBytes: boolean, start: number) {
    const end = this.i;
    if (!isBytes) {
      const value = String.fromCodePoint(...codes);
      this.tokens.push({ kind: 'string', text, value, upper: value, start, end });
      return;
    }
    const bytes: number[] = [];
    for (const cp of codes) {
      if (cp < 0x80) bytes.push(cp);
      else if (cp <= 0xff && !raw) bytes.push(cp);
      else bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
    }
    const arr = Uint8Array.from(bytes);
    this.tokens.push({ kind: 'bytes', text, value: text, upper: text, bytes: arr, start, end });
  }

  private word(): void {
    const start = this.i;
    while (this.i < this.sql.length && /[A-Za-z0-9_]/.test(this.sql[this.i]!)) this.i++;
    const value = this.sql.slice(start, this.i);
    this.push('ident', value, value, start);
  }

  /** A `backtick quoted` identifier or path. */
  private quotedIdent(): void {
    const { sql } = this;
    const start = this.i;
    this.i++;
    let value = '';
    for (;;) {
      if (this.i >= sql.length)
        this.fail('quoted identifier', start, 'Syntax error: unclosed identifier literal');
      const ch = sql[this.i]!;
      if (ch === '`') {
        this.i++;
        break;
      }
      if (ch === '\\') {
        const e = sql[this.i + 1] ?? '';
        if (!(e in SIMPLE_ESCAPES))
          this.fail('escape sequence', this.i, `Illegal escape sequence: \\${e}`);
        value += String.fromCharCode(SIMPLE_ESCAPES[e]!);
        this.i += 2;
        continue;
      }
      value += ch;
      this.i++;
    }
    if (value === '') this.fail('quoted identifier', start, 'Syntax error: empty identifier');
    this.push('qident', sql.slice(start, this.i), value, start);
  }

  private number(): void {
    const { sql } = this;
    const start = this.i;
    const m = /^(?:0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/.exec(
      sql.slice(start),
    )!;
    this.i += m[0].length;
    // `1.` followed by a letter would be a path like `project-1.dataset`: give the dot back.
    let text = m[0];
    if (text.endsWith('.') && /[A-Za-z_]/.test(sql[this.i] ?? '')) {
      text = text.slice(0, -1);
      this.i--;
    }
    this.push('number', text, text, start);
  }

  /** `@@name`. */
  private sysvar(): void {
    const start = this.i;
    this.i += 2;
    while (this.i < this.sql.length && /[A-Za-z0-9_.]/.test(this.sql[this.i]!)) this.i++;
    this.push('sysvar', this.sql.slice(start, this.i), this.sql.slice(start + 2, this.i), start);
  }

  /** `@name` or `` @`name` ``. */
  private param(): void {
    const { sql } = this;
    const start = this.i;
    this.i++;
    let value: string;
    if (sql[this.i] === '`') {
      const close = sql.indexOf('`', this.i + 1);
      if (close < 0) this.fail('query parameter', start, 'Syntax error: unclosed parameter name');
      value = sql.slice(this.i + 1, close);
      this.i = close + 1;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(this.i));
      if (!m)
        this.fail('query parameter', start, 'Syntax error: expected a parameter name after @');
      value = m![0];
      this.i += value.length;
    }
    this.push('param', sql.slice(start, this.i), value, start);
  }
}
