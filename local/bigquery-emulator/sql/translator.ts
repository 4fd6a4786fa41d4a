import { duckDbScalarType } from '../types/bigquery-types.js';
import { qualifiedName, quoteIdent } from '../types/duckdb-names.js';
import { UnsupportedSqlError, positionOf } from './errors.js';
import { type CallSite, callFunction } from './functions/index.js';
import {
  BQ_RESERVED,
  CLAUSE_KEYWORDS,
  DATE_PARTS,
  DUCKDB_ONLY_RESERVED,
  NOT_FUNCTIONS,
} from './keywords.js';
import { bigNumericLiteral, sqlBytes, sqlString, typedLiteral } from './literals.js';
import { interval } from './date-time.js';
import type { Token } from './tokenizer.js';
import {
  type Group,
  type Node,
  endOf,
  isGroup,
  isOp,
  isWord,
  splitCommas,
  startOf,
} from './tree.js';
import { type BqScalar, type BqType, duckDbType, parseType, parseTypeText } from './types.js';

export interface TableRef {
  projectId?: string;
  datasetId?: string;
  tableId: string;
}

export interface TableResolver {
  /** Returns the DuckDB qualified identifier to emit; throws if the table is unknown. */
  resolve(ref: TableRef, position: number): string;
}

export interface QueryParam {
  /** BigQuery type: INT64, STRING, TIMESTAMP, ARRAY<INT64>, STRUCT<...> */
  type: string;
  value: unknown;
}

export interface TranslateOptions {
  defaultProjectId: string;
  defaultDatasetId?: string;
  resolver: TableResolver;
  params?: { named?: Record<string, QueryParam>; positional?: QueryParam[] };
}

/** Where a table name was written: for resolving, and for DDL targets. */
interface PathRead {
  parts: string[];
  start: number;
  next: number;
}

interface SeqState {
  /** Inside parentheses: SELECT AS STRUCT builds a struct value there. */
  nested: boolean;
  fromMode?: boolean;
  expectFromItem?: boolean;
}

/** What `seq` carries from one step to the next. */
interface SeqScan {
  readonly nodes: Node[];
  readonly out: Out;
  readonly nested: boolean;
  /** In a FROM clause (until the next clause keyword). */
  fromMode: boolean;
  /** The next node starts a FROM item (after FROM, JOIN or a comma in FROM). */
  expectFromItem: boolean;
  /** The word before the last JOIN (LEFT, INNER, …). */
  lastJoin: string;
  /** Names and aliases of the FROM items so far. */
  readonly fromAliases: Set<string>;
}

/** A step's answer when the translation of the sequence ends there. */
const STOP = -1;

/** Collects output pieces; `.` and subscripts glue to their neighbours, the rest is space-joined. */
class Out {
  private readonly parts: string[] = [];
  private glueNext = false;

  push(text: string): void {
    if (this.glueNext && this.parts.length > 0) this.parts[this.parts.length - 1] += text;
    else this.parts.push(text);
    this.glueNext = false;
  }

  /** Appends to the previous piece without a space. */
  glue(text: string): void {
    if (this.parts.length > 0) this.parts[this.parts.length - 1] += text;
    else this.parts.push(text);
    this.glueNext = false;
  }

  glueToNext(): void {
    this.glueNext = true;
  }

  toString(): string {
    return this.parts.join(' ');
  }
}

const ARITHMETIC = ['+', '-', '*', '/'];
/** `KEYWORD 'text'` literals and the type each makes. */
const TYPED_LITERALS: ReadonlyMap<string, BqScalar> = new Map([
  ['DATE', 'DATE'],
  ['DATETIME', 'DATETIME'],
  ['TIMESTAMP', 'TIMESTAMP'],
  ['TIME', 'TIME'],
  ['NUMERIC', 'NUMERIC'],
  ['DECIMAL', 'NUMERIC'],
  ['BIGNUMERIC', 'BIGNUMERIC'],
  ['BIGDECIMAL', 'BIGNUMERIC'],
  ['JSON', 'JSON'],
]);
const ORDER_BY_END = new Set(['LIMIT', 'ROWS', 'RANGE', 'GROUPS', 'UNION', 'INTERSECT', 'EXCEPT']);
const NOT_ALIASES = new Set(['PIVOT', 'UNPIVOT', 'QUALIFY', 'WINDOW', 'MATCH_RECOGNIZE']);

/**
 * Rewrites one BigQuery statement (already tokenized and nested) into DuckDB SQL. Works on the
 * token tree with a light parser for clauses, select lists and calls; every function call must be
 * known to `functions.ts`, so nothing unknown passes through with a different meaning.
 */
export class Translator implements CallSite {
  private positionalIndex = 0;
  private unnestCounter = 0;
  private readonly ctes = new Set<string>();
  private readonly paramTypes = new Map<string, BqType>();

  constructor(
    readonly sql: string,
    readonly options: TranslateOptions,
  ) {}

  fail(construct: string, at: Node | number | undefined, detail?: string): never {
    const offset = at === undefined ? this.sql.length : typeof at === 'number' ? at : startOf(at);
    throw new UnsupportedSqlError(construct, positionOf(this.sql, offset), detail);
  }

  /** Remembers WITH names so `FROM name` is not looked up as a table. */
  collectCtes(nodes: Node[]): void {
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (isGroup(node)) {
        this.collectCtes(node.items);
        continue;
      }
      const prev = nodes[i - 1];
      if (
        (node.kind === 'ident' || node.kind === 'qident') &&
        isWord(nodes[i + 1], 'AS') &&
        isGroup(nodes[i + 2], '(') &&
        (isWord(prev, 'WITH', 'RECURSIVE') || (isOp(prev, ',') && isGroup(nodes[i - 2], '(')))
      ) {
        this.ctes.add(node.value.toLowerCase());
      }
    }
  }

  /** Translates an expression or a query fragment. */
  expr(nodes: Node[]): string {
    return this.seq(nodes, { nested: true });
  }

  seq(nodes: Node[], state: SeqState): string {
    const scan: SeqScan = {
      nodes,
      out: new Out(),
      nested: state.nested,
      fromMode: state.fromMode ?? false,
      expectFromItem: state.expectFromItem ?? false,
      lastJoin: '',
      fromAliases: new Set<string>(),
    };
    let i = 0;
    while (i < nodes.length) {
      const next = this.seqStep(scan, i);
      if (next === STOP) break;
      i = next;
    }
    return scan.out.toString();
  }

  /** Translates what starts at `i`; returns the index after it. */
  private seqStep(scan: SeqScan, i: number): number {
    if (scan.fromMode && scan.expectFromItem) {
      scan.expectFromItem = false;
      const consumed = this.fromItem(scan, i);
      if (consumed > i) return consumed;
    }
    const node = scan.nodes[i]!;
    if (node.kind === 'group') {
      this.groupNode(scan, node, scan.nodes[i - 1]);
      return i + 1;
    }
    if (node.kind !== 'ident') {
      this.plainToken(scan, node, i);
      return i + 1;
    }
    return (
      this.callAt(scan, i) ??
      this.keywordAt(scan, i) ??
      this.typedLiteralAt(scan, i) ??
      this.nameAt(scan, i)
    );
  }

  /** `(…)` is translated inside; `[…]` is an array literal, or a subscript after an expression. */
  private groupNode(scan: SeqScan, node: Group, prev: Node | undefined): void {
    if (node.open === '[' && prev !== undefined && isExprEnd(prev)) {
      scan.out.glue(this.subscript(node));
    } else if (node.open === '[') {
      scan.out.push(`[${this.expr(node.items)}]`);
    } else {
      scan.out.push(`(${this.seq(node.items, { nested: true })})`);
    }
  }

  /** Literals, parameters, quoted names and operators. */
  private plainToken(scan: SeqScan, node: Token, i: number): void {
    const { out } = scan;
    switch (node.kind) {
      case 'string':
        return out.push(sqlString(node.value));
      case 'bytes':
        return out.push(sqlBytes(node.bytes!));
      case 'number':
        return out.push(this.number(node, scan.nodes[i - 1], scan.nodes[i + 1]));
      case 'param':
      case 'qparam':
        return out.push(this.param(node));
      case 'sysvar':
        return this.fail(`system variable @@${node.value}`, node);
      case 'qident':
        return out.push(quoteIdent(node.value));
      case 'op':
        return this.operator(scan, node);
      case 'ident':
        return;
    }
  }

  private operator(scan: SeqScan, node: Token): void {
    if (node.value === '.') {
      scan.out.glue('.');
      scan.out.glueToNext();
    } else if (node.value === ',') {
      scan.out.glue(',');
      if (scan.fromMode) scan.expectFromItem = true;
    } else if (['^', '=>', '->', '{', '}', ':', '%', '!', ';'].includes(node.value)) {
      this.fail(`operator ${node.value}`, node);
    } else {
      scan.out.push(node.value);
    }
  }

  /**
   * A call: WORD( ... ) [OVER …], unless WORD is a keyword that takes a parenthesised operand.
   * Returns the index after it, STOP, or undefined when WORD is not called here.
   */
  private callAt(scan: SeqScan, i: number): number | undefined {
    const { nodes } = scan;
    const node = nodes[i] as Token;
    const next = nodes[i + 1];
    const up = node.upper;
    const afterDot = isOp(nodes[i - 1], '.');
    if (isGroup(next, '(') && !afterDot && !NOT_FUNCTIONS.has(up)) {
      // `SAFE(…).x` ends this sequence here, dropping the rest, as it did before `seq` was split.
      if (isOp(nodes[i + 2], '.') && up === 'SAFE') return STOP;
      let j = i + 2;
      let over: string | undefined;
      if (isWord(nodes[j], 'OVER')) {
        over = this.overClause(nodes, j);
        j += 2;
      }
      scan.out.push(callFunction(this, node, next, over));
      return j;
    }
    if (isGroup(next, '(') && afterDot) {
      return this.fail(`function ${pathBefore(nodes, i)}`, nodes[i]);
    }
    if (up === 'SAFE' && isOp(next, '.')) {
      return this.fail('SAFE. function prefix', node);
    }
    return undefined;
  }

  /** `OVER (…)` or `OVER name` at `j`. */
  private overClause(nodes: Node[], j: number): string {
    const w = nodes[j + 1];
    if (isGroup(w, '(')) return `OVER (${this.expr(w.items)})`;
    if (w && (w.kind === 'ident' || w.kind === 'qident')) return `OVER ${quoteIdent(w.value)}`;
    return this.fail('OVER clause', nodes[j]);
  }

  /** Keywords that are translated, or refused, here; undefined for the rest. */
  private keywordAt(scan: SeqScan, i: number): number | undefined {
    const up = (scan.nodes[i] as Token).upper;
    if (CLAUSE_KEYWORDS.has(up) || up === 'WHEN') scan.fromMode = false;
    return this.clauseKeyword(scan, i, up) ?? this.expressionKeyword(scan, i, up);
  }

  private clauseKeyword(scan: SeqScan, i: number, up: string): number | undefined {
    const { nodes, out } = scan;
    const next = nodes[i + 1];
    switch (up) {
      case 'SELECT':
        return this.selectList(nodes, i, out, scan.nested);
      case 'FROM':
        out.push('FROM');
        scan.fromMode = true;
        scan.expectFromItem = true;
        return i + 1;
      case 'JOIN':
        out.push('JOIN');
        scan.lastJoin = upperWord(nodes[i - 1]);
        if (scan.fromMode) scan.expectFromItem = true;
        return i + 1;
      case 'ORDER':
        return isWord(next, 'BY') ? this.orderBy(nodes, i + 2, out) : undefined;
      case 'UNION':
      case 'INTERSECT':
      case 'EXCEPT':
        if (isWord(next, 'DISTINCT')) out.push(up);
        else if (isWord(next, 'ALL') && up === 'UNION') out.push('UNION ALL');
        else
          return this.fail(
            `${up} without DISTINCT`,
            nodes[i],
            `Syntax error: ${up} must be followed by ALL or DISTINCT`,
          );
        return i + 2;
      default:
        return undefined;
    }
  }

  private expressionKeyword(scan: SeqScan, i: number, up: string): number | undefined {
    const { nodes, out } = scan;
    const node = nodes[i] as Token;
    const next = nodes[i + 1];
    const afterDot = isOp(nodes[i - 1], '.');
    switch (up) {
      case 'INTERVAL':
        return this.intervalLiteral(nodes, i, out);
      case 'STRUCT':
        return this.struct(nodes, i, out);
      case 'ARRAY':
        return this.array(nodes, i, out);
      case 'UNNEST':
        return this.fail('UNNEST outside FROM or IN', node);
      case 'IN':
        if (!isWord(next, 'UNNEST') || !isGroup(nodes[i + 2], '(')) return undefined;
        out.push(`IN (SELECT unnest(${this.expr((nodes[i + 2] as Group).items)}))`);
        return i + 3;
      case 'LIKE':
        return this.like(scan, i);
      case 'OFFSET':
        if (next && (next.kind === 'number' || next.kind === 'param' || next.kind === 'qparam'))
          return undefined;
        out.push(quoteIdent(node.value));
        return i + 1;
      case 'FOR':
        if (isWord(next, 'SYSTEM_TIME', 'SYSTEM')) return this.fail('FOR SYSTEM_TIME AS OF', node);
        return undefined;
      case 'CURRENT_TIMESTAMP':
      case 'CURRENT_DATE':
      case 'CURRENT_DATETIME':
      case 'CURRENT_TIME':
        if (afterDot) return undefined;
        out.push(callFunction(this, node, undefined, undefined));
        return i + 1;
      case 'PIVOT':
      case 'UNPIVOT':
      case 'TABLESAMPLE':
      case 'MATCH_RECOGNIZE':
      case 'COLLATE':
        return afterDot ? undefined : this.fail(up, node);
      default:
        return undefined;
    }
  }

  /** BigQuery's LIKE treats a backslash as the escape character; DuckDB has none by default. */
  private like(scan: SeqScan, i: number): number | undefined {
    const next = scan.nodes[i + 1];
    if (isWord(next, 'ANY', 'SOME', 'ALL')) return this.fail(`LIKE ${next.upper}`, scan.nodes[i]);
    if (next?.kind !== 'string' || !next.value.includes('\\')) return undefined;
    scan.out.push(`LIKE ${sqlString(next.value)} ESCAPE '\\'`);
    return i + 2;
  }

  /** `DATE '…'`, `NUMERIC '…'`, …; `RANGE '…'` and `INTERVAL '…'` are refused. */
  private typedLiteralAt(scan: SeqScan, i: number): number | undefined {
    const node = scan.nodes[i] as Token;
    const next = scan.nodes[i + 1];
    if (next?.kind !== 'string') return undefined;
    if (TYPED_LITERALS.has(node.upper) && !isOp(scan.nodes[i - 1], '.')) {
      scan.out.push(this.typedLiteral(node, next));
      return i + 2;
    }
    if (node.upper === 'RANGE' || node.upper === 'INTERVAL') {
      return this.fail(`${node.upper} literal`, node);
    }
    return undefined;
  }

  /** A plain identifier or a keyword DuckDB spells the same. */
  private nameAt(scan: SeqScan, i: number): number {
    const node = scan.nodes[i] as Token;
    if (DUCKDB_ONLY_RESERVED.has(node.upper) && !BQ_RESERVED.has(node.upper))
      scan.out.push(quoteIdent(node.value));
    else scan.out.push(node.value);
    return i + 1;
  }

  // ---------------------------------------------------------------- literals and parameters

  private number(node: Token, prev: Node | undefined, next: Node | undefined): string {
    const text = node.value;
    if (/^0x/i.test(text)) return BigInt(text).toString();
    if (/[.eE]/.test(text)) return `CAST(${text} AS DOUBLE)`;
    // DuckDB types small integer literals as INT32 and overflows where BigQuery's INT64 would not.
    if (isOp(prev, ...ARITHMETIC) || isOp(next, ...ARITHMETIC)) return `CAST(${text} AS BIGINT)`;
    return text;
  }

  private typedLiteral(kw: Token, lit: Token): string {
    const name = TYPED_LITERALS.get(kw.upper)!;
    if (name !== 'BIGNUMERIC') return `CAST(${sqlString(lit.value)} AS ${duckDbScalarType(name)})`;
    return (
      bigNumericLiteral(lit.value) ??
      this.fail('BIGNUMERIC literal', lit, `Invalid BIGNUMERIC literal: ${lit.text}`)
    );
  }

  param(node: Token): string {
    const params = this.options.params ?? {};
    let p: QueryParam | undefined;
    let label: string;
    if (node.kind === 'qparam') {
      label = `positional parameter ${this.positionalIndex + 1}`;
      p = params.positional?.[this.positionalIndex++];
      if (!p) return this.fail('query parameter ?', node, `No value was given for ${label}`);
    } else {
      label = `@${node.value}`;
      const named = params.named ?? {};
      const key = Object.keys(named).find((k) => k.toLowerCase() === node.value.toLowerCase());
      p = key === undefined ? undefined : named[key];
      if (!p)
        return this.fail(
          `query parameter @${node.value}`,
          node,
          `Query parameter '${node.value}' not found`,
        );
    }
    let type = this.paramTypes.get(p.type);
    try {
      if (!type) {
        type = parseTypeText(p.type);
        this.paramTypes.set(p.type, type);
      }
      return typedLiteral(type, p.value);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return this.fail(
        `query parameter ${label}`,
        node,
        `Invalid value for query parameter ${label}: ${why}`,
      );
    }
  }

  /** A string-literal argument's text (after parameters are inlined), for formats and regexes. */
  literalString(nodes: Node[]): string | undefined {
    if (nodes.length !== 1) return undefined;
    const n = nodes[0]!;
    if (n.kind === 'string') return n.value;
    if (n.kind === 'param') {
      const named = this.options.params?.named ?? {};
      const key = Object.keys(named).find((k) => k.toLowerCase() === n.value.toLowerCase());
      const p = key === undefined ? undefined : named[key];
      if (p && p.type.toUpperCase() === 'STRING' && typeof p.value === 'string') return p.value;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- compound expressions

  private intervalLiteral(nodes: Node[], i: number, out: Out): number {
    let p = i + 1;
    while (
      p < nodes.length &&
      !(isWord(nodes[p]) && DATE_PARTS.has((nodes[p] as Token).upper) && p > i + 1)
    )
      p++;
    const partNode = nodes[p];
    if (!partNode || p === i + 1)
      return this.fail(
        'INTERVAL',
        nodes[i],
        'Syntax error: INTERVAL needs a value and a date part',
      );
    if (isWord(nodes[p + 1], 'TO')) return this.fail('INTERVAL ... TO ...', nodes[i]);
    const part = (partNode as Token).upper;
    if (
      ['DAYOFWEEK', 'DAYOFYEAR', 'ISOWEEK', 'ISOYEAR', 'DATE', 'TIME', 'DATETIME'].includes(part)
    ) {
      return this.fail(`INTERVAL ${part}`, partNode);
    }
    out.push(interval(this.expr(nodes.slice(i + 1, p)), part));
    return p + 1;
  }

  private struct(nodes: Node[], i: number, out: Out): number {
    let j = i + 1;
    let types: { name?: string; type: BqType }[] | undefined;
    if (isOp(nodes[j], '<')) {
      const parsed = parseType(nodes, i, this.sql);
      if (parsed.type.kind !== 'struct') return this.fail('STRUCT', nodes[i]);
      types = [...parsed.type.fields];
      j = parsed.next;
    }
    const group = nodes[j];
    if (!isGroup(group, '('))
      return this.fail('STRUCT', nodes[i], 'Syntax error: expected "(" after STRUCT');
    const fields = splitCommas(group.items);
    if (types && types.length !== fields.length) {
      return this.fail(
        'STRUCT',
        nodes[i],
        `STRUCT type has ${types.length} fields but ${fields.length} values`,
      );
    }
    if (fields.length === 0) return this.fail('empty STRUCT()', nodes[i]);
    const parts = fields.map((field, k) => {
      const { body, alias } = splitAlias(field);
      const typed = types?.[k];
      const name = alias ?? typed?.name ?? pathName(body) ?? `_field_${k + 1}`;
      const value = this.expr(body);
      return `${sqlString(name)}: ${typed ? `CAST(${value} AS ${duckDbType(typed.type)})` : value}`;
    });
    out.push(`{${parts.join(', ')}}`);
    return j + 1;
  }

  private array(nodes: Node[], i: number, out: Out): number {
    const next = nodes[i + 1];
    if (isOp(next, '<')) {
      const parsed = parseType(nodes, i, this.sql);
      const lit = nodes[parsed.next];
      if (!isGroup(lit, '['))
        return this.fail('ARRAY<T>', nodes[i], 'Syntax error: expected "[" after ARRAY<...>');
      out.push(`CAST([${this.expr(lit.items)}] AS ${duckDbType(parsed.type)})`);
      return parsed.next + 1;
    }
    if (isGroup(next, '[')) {
      out.push(`[${this.expr(next.items)}]`);
      return i + 2;
    }
    if (isGroup(next, '(')) {
      out.push(`ARRAY(${this.expr(next.items)})`);
      return i + 2;
    }
    return this.fail('ARRAY', nodes[i]);
  }

  private subscript(group: Group): string {
    const inner = group.items;
    const [head, arg] = inner;
    if (inner.length === 2 && isWord(head) && isGroup(arg, '(')) {
      const e = this.expr(arg.items);
      switch (head.upper) {
        case 'OFFSET':
        case 'SAFE_OFFSET':
          return `[(${e}) + 1]`;
        case 'ORDINAL':
        case 'SAFE_ORDINAL':
          return `[${e}]`;
      }
    }
    if (inner.length === 1 && head?.kind === 'string') return ` -> ${sqlString(head.value)}`;
    if (inner.length === 0) return this.fail('empty subscript', group);
    return `[(${this.expr(inner)}) + 1]`;
  }

  // ---------------------------------------------------------------- clauses

  /** SELECT [DISTINCT|ALL] [AS STRUCT|AS VALUE] items; returns the index after the list. */
  private selectList(nodes: Node[], i: number, out: Out, nested: boolean): number {
    out.push('SELECT');
    let j = i + 1;
    if (isWord(nodes[j], 'DISTINCT', 'ALL')) {
      out.push((nodes[j] as Token).upper);
      j++;
    }
    let mode: 'rows' | 'struct' | 'value' = 'rows';
    if (isWord(nodes[j], 'AS') && isWord(nodes[j + 1], 'STRUCT', 'VALUE')) {
      mode = (nodes[j + 1] as Token).upper === 'STRUCT' ? 'struct' : 'value';
      j += 2;
    }
    let end = j;
    while (end < nodes.length) {
      const n = nodes[end]!;
      if (
        isWord(n) &&
        CLAUSE_KEYWORDS.has(n.upper) &&
        !(n.upper === 'EXCEPT' && isOp(nodes[end - 1], '*'))
      )
        break;
      end++;
    }
    const items = splitCommas(nodes.slice(j, end));
    if (items.length === 0)
      return this.fail('SELECT', nodes[i], 'Syntax error: SELECT list is empty');
    if (mode === 'value' && items.length !== 1) {
      return this.fail('SELECT AS VALUE', nodes[i], 'SELECT AS VALUE must have exactly one column');
    }
    if (mode === 'struct' && nested) {
      const fields = items.map((item, k) => {
        const { body, alias } = splitAlias(item);
        const name = alias ?? pathName(body) ?? `_field_${k + 1}`;
        return `${sqlString(name)}: ${this.expr(body)}`;
      });
      out.push(`{${fields.join(', ')}}`);
      return end;
    }
    let anonymous = 0;
    const rendered = items.map((item) => {
      const star = this.starItem(item);
      if (star !== undefined) return star;
      const { body, alias } = splitAlias(item);
      if (body.length === 0) return this.fail('SELECT', item[0], 'Syntax error: empty select item');
      const e = this.expr(body);
      if (alias !== undefined) return `${e} AS ${quoteIdent(alias)}`;
      if (pathName(body) !== undefined) return e;
      // BigQuery names unaliased expressions f0_, f1_, ...
      return `${e} AS ${quoteIdent(`f${anonymous++}_`)}`;
    });
    out.push(rendered.join(', '));
    return end;
  }

  /** `*` / `path.*` with EXCEPT(...) / REPLACE(...) modifiers, or undefined if not a star item. */
  private starItem(item: Node[]): string | undefined {
    const k = item.findIndex((n) => isOp(n, '*'));
    if (k < 0) return undefined;
    if (k > 0 && !isOp(item[k - 1], '.')) return undefined;
    const prefix = item.slice(0, k + 1);
    let text = this.expr(prefix);
    let j = k + 1;
    while (j < item.length) {
      const kw = item[j];
      const group = item[j + 1];
      if (isWord(kw, 'EXCEPT') && isGroup(group, '(')) {
        const cols = splitCommas(group.items).map((c) => {
          const col = c[0];
          if (c.length !== 1 || !col || (col.kind !== 'ident' && col.kind !== 'qident')) {
            return this.fail('SELECT * EXCEPT', group, 'Syntax error: EXCEPT takes column names');
          }
          return quoteIdent(col.value);
        });
        text += ` EXCLUDE (${cols.join(', ')})`;
      } else if (isWord(kw, 'REPLACE') && isGroup(group, '(')) {
        const repl = splitCommas(group.items).map((c) => {
          const { body, alias } = splitAlias(c);
          if (alias === undefined)
            return this.fail('SELECT * REPLACE', group, 'Syntax error: REPLACE items need AS name');
          return `${this.expr(body)} AS ${quoteIdent(alias)}`;
        });
        text += ` REPLACE (${repl.join(', ')})`;
      } else {
        return this.fail('SELECT *', item[j], 'Syntax error: unexpected tokens after *');
      }
      j += 2;
    }
    return text;
  }

  /** ORDER BY items, each made explicit about NULLs with BigQuery's defaults (first on ASC). */
  private orderBy(nodes: Node[], i: number, out: Out): number {
    let end = i;
    while (end < nodes.length) {
      const n = nodes[end]!;
      if (isWord(n) && ORDER_BY_END.has(n.upper)) break;
      end++;
    }
    const items = splitCommas(nodes.slice(i, end)).map((item) => {
      let body = item;
      let nulls = '';
      const last = body[body.length - 1];
      if (isWord(last, 'FIRST', 'LAST') && isWord(body[body.length - 2], 'NULLS')) {
        nulls = `NULLS ${last.upper}`;
        body = body.slice(0, -2);
      }
      let dir = 'ASC';
      const d = body[body.length - 1];
      if (isWord(d, 'ASC', 'DESC')) {
        dir = d.upper;
        body = body.slice(0, -1);
      }
      if (body.length === 0)
        return this.fail('ORDER BY', nodes[i], 'Syntax error: empty ORDER BY item');
      return `${this.expr(body)} ${dir} ${nulls || (dir === 'ASC' ? 'NULLS FIRST' : 'NULLS LAST')}`;
    });
    if (items.length === 0)
      return this.fail('ORDER BY', nodes[i - 2], 'Syntax error: empty ORDER BY');
    out.push(`ORDER BY ${items.join(', ')}`);
    return end;
  }

  /**
   * One FROM item at `i`: a table path, a WITH name, UNNEST(...) or an array path of an earlier
   * item. Returns the index after it (and its alias), or `i` when the generic loop should go on.
   */
  private fromItem(scan: SeqScan, i: number): number {
    const { nodes, out } = scan;
    const node = nodes[i]!;
    if (isWord(node, 'UNNEST') && isGroup(nodes[i + 1], '(')) {
      const group = nodes[i + 1] as Group;
      if (group.items.length === 0)
        return this.fail('UNNEST', node, 'Syntax error: UNNEST needs an array');
      return this.unnestItem(scan, this.expr(group.items), i + 2);
    }
    if (node.kind !== 'ident' && node.kind !== 'qident') return i;
    if (node.kind === 'ident' && (BQ_RESERVED.has(node.upper) || node.upper === 'LATERAL'))
      return i;
    const path = this.readPath(nodes, i);
    const first = path.parts[0]!.toLowerCase();
    if (path.parts.length === 1 && this.ctes.has(first)) {
      out.push(quoteIdent(path.parts[0]!));
      return this.tableAlias(scan, path.next, path.parts[0]!);
    }
    if (path.parts.length > 1 && scan.fromAliases.has(first)) {
      // `FROM t, t.array_column AS x`: an implicit UNNEST.
      const expr = path.parts.map(quoteIdent).join('.');
      return this.unnestItem(scan, expr, path.next);
    }
    out.push(this.resolveTable(path));
    return this.tableAlias(scan, path.next, path.parts[path.parts.length - 1]!);
  }

  private tableAlias(scan: SeqScan, i: number, defaultName: string): number {
    const { alias, next } = readAlias(scan.nodes, i);
    if (alias !== undefined) {
      scan.out.push(`AS ${quoteIdent(alias)}`);
      scan.fromAliases.add(alias.toLowerCase());
    } else {
      scan.fromAliases.add(defaultName.toLowerCase());
    }
    return next;
  }

  private unnestItem(scan: SeqScan, arr: string, i: number): number {
    const { nodes, out } = scan;
    const read = readAlias(nodes, i);
    const alias = read.alias;
    let next = read.next;
    let offsetAlias: string | undefined;
    if (isWord(nodes[next], 'WITH') && isWord(nodes[next + 1], 'OFFSET')) {
      const o = readAlias(nodes, next + 2);
      offsetAlias = o.alias ?? 'offset';
      next = o.next;
    }
    const value = quoteIdent(alias ?? 'f0_');
    if (alias) scan.fromAliases.add(alias.toLowerCase());
    const cols = [`unnest(${arr}) AS ${value}`];
    if (offsetAlias !== undefined) {
      cols.push(`unnest(generate_series(0, len(${arr}) - 1)) AS ${quoteIdent(offsetAlias)}`);
    }
    out.push(`(SELECT ${cols.join(', ')}) AS ${quoteIdent(`__unnest_${this.unnestCounter++}`)}`);
    if (
      (scan.lastJoin === 'LEFT' || scan.lastJoin === 'OUTER') &&
      !isWord(nodes[next], 'ON', 'USING')
    )
      out.push('ON TRUE');
    return next;
  }

  /** A table path: `a.b.c`, `` `a.b.c` ``, `` `a`.b.c ``, unquoted `my-project.d.t`. */
  readPath(nodes: Node[], i: number): PathRead {
    const parts: string[] = [];
    const start = startOf(nodes[i]!);
    let j = i;
    for (;;) {
      const n = nodes[j];
      if (!n || (n.kind !== 'ident' && n.kind !== 'qident')) {
        return this.fail('table name', n ?? nodes[j - 1], 'Syntax error: expected a table name');
      }
      if (n.kind === 'qident') {
        parts.push(...n.value.split('.'));
        j++;
      } else {
        // Unquoted names may contain dashes (project ids) when written without spaces.
        let name = n.value;
        let end = n.end;
        j++;
        while (
          isOp(nodes[j], '-') &&
          (nodes[j] as Token).start === end &&
          nodes[j + 1] &&
          ((nodes[j + 1] as Token).kind === 'ident' || (nodes[j + 1] as Token).kind === 'number') &&
          startOf(nodes[j + 1]!) === (nodes[j] as Token).end
        ) {
          name += `-${(nodes[j + 1] as Token).value}`;
          end = endOf(nodes[j + 1]!);
          j += 2;
        }
        parts.push(name);
      }
      if (isOp(nodes[j], '.') && nodes[j + 1] && !isOp(nodes[j + 1], '*')) {
        j++;
        continue;
      }
      break;
    }
    if (parts.some((p) => p === ''))
      return this.fail('table name', start, 'Syntax error: empty name part');
    return { parts, start, next: j };
  }

  /** Splits a path into project, dataset and table with the defaults filled in. */
  tableRef(path: PathRead): Required<TableRef> {
    const { parts } = path;
    const shown = parts.join('.');
    if (parts.some((p) => p.includes('*'))) return this.fail(`wildcard table ${shown}`, path.start);
    if (parts.length > 3)
      return this.fail(`table name ${shown}`, path.start, `Invalid table name: ${shown}`);
    const tableId = parts[parts.length - 1]!;
    const datasetId = parts.length >= 2 ? parts[parts.length - 2]! : this.options.defaultDatasetId;
    const projectId = parts.length === 3 ? parts[0]! : this.options.defaultProjectId;
    if (datasetId === undefined) {
      return this.fail(
        `table name ${shown}`,
        path.start,
        `Table "${shown}" must be qualified with a dataset (e.g. dataset.table)`,
      );
    }
    return { projectId, datasetId, tableId };
  }

  resolveTable(path: PathRead): string {
    return this.options.resolver.resolve(this.tableRef(path), path.start);
  }
}

/** Qualified DuckDB name of a BigQuery table under the agreed layout: schema `<project>__<dataset>`. */
export function duckDbTableName(ref: Required<TableRef>): string {
  return qualifiedName(ref.projectId, ref.datasetId, ref.tableId);
}

function isExprEnd(node: Node): boolean {
  if (node.kind === 'group') return true;
  if (
    node.kind === 'qident' ||
    node.kind === 'param' ||
    node.kind === 'qparam' ||
    node.kind === 'string'
  )
    return true;
  return node.kind === 'ident' && !BQ_RESERVED.has(node.upper);
}

function upperWord(node: Node | undefined): string {
  return node && node.kind === 'ident' ? node.upper : '';
}

function pathBefore(nodes: Node[], i: number): string {
  const parts: string[] = [];
  let j = i;
  while (j >= 0) {
    const n = nodes[j];
    if (!n || (n.kind !== 'ident' && n.kind !== 'qident')) break;
    parts.unshift(n.value);
    if (!isOp(nodes[j - 1], '.')) break;
    j -= 2;
  }
  return parts.join('.');
}

/** `expr AS name`, or `expr name` where name cannot continue the expression. */
export function splitAlias(item: Node[]): { body: Node[]; alias?: string } {
  const n = item.length;
  const last = item[n - 1];
  const before = item[n - 2];
  if (n >= 2 && isWord(before, 'AS') && last && (last.kind === 'ident' || last.kind === 'qident')) {
    return { body: item.slice(0, -2), alias: last.value };
  }
  if (
    n >= 2 &&
    last &&
    (last.kind === 'qident' || (last.kind === 'ident' && !BQ_RESERVED.has(last.upper))) &&
    before &&
    !isOp(before, '.') &&
    isAliasable(before) &&
    !(
      last.kind === 'ident' &&
      DATE_PARTS.has(last.upper) &&
      item.some((x) => isWord(x, 'INTERVAL'))
    )
  ) {
    return { body: item.slice(0, -1), alias: last.value };
  }
  return { body: item };
}

function isAliasable(node: Node): boolean {
  if (node.kind === 'group') return true;
  if (node.kind === 'ident')
    return !BQ_RESERVED.has(node.upper) || ['END', 'NULL', 'TRUE', 'FALSE'].includes(node.upper);
  return node.kind !== 'op';
}

/** The implicit column name of a path expression (`a`, `t.a` → `a`), or undefined. */
export function pathName(body: Node[]): string | undefined {
  if (body.length === 0 || body.length % 2 === 0) return undefined;
  for (let k = 0; k < body.length; k++) {
    const n = body[k]!;
    if (k % 2 === 1) {
      if (!isOp(n, '.')) return undefined;
    } else if (!(n.kind === 'qident' || (n.kind === 'ident' && !BQ_RESERVED.has(n.upper)))) {
      return undefined;
    }
  }
  const last = body[body.length - 1] as Token;
  if (
    body.length === 1 &&
    last.kind === 'ident' &&
    /^CURRENT_(TIMESTAMP|DATE|DATETIME|TIME)$/.test(last.upper)
  ) {
    return undefined;
  }
  return last.value;
}

/** `[AS] alias` after a FROM item. */
export function readAlias(nodes: Node[], i: number): { alias?: string; next: number } {
  const n = nodes[i];
  if (isWord(n, 'AS')) {
    const a = nodes[i + 1];
    if (a && (a.kind === 'ident' || a.kind === 'qident')) return { alias: a.value, next: i + 2 };
    return { next: i };
  }
  if (n && n.kind === 'qident') return { alias: n.value, next: i + 1 };
  if (n && n.kind === 'ident' && !BQ_RESERVED.has(n.upper) && !NOT_ALIASES.has(n.upper)) {
    return { alias: n.value, next: i + 1 };
  }
  return { next: i };
}
