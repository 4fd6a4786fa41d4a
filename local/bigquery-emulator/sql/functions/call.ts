import type { Token } from '../tokenizer.js';
import type { Group, Node } from '../tree.js';

/**
 * What a function's translation needs from the translator, and no more: the SQL text (for
 * parsing types in place), translating an argument, reading a literal argument's text, and
 * failing with a position. `Translator` implements it; the functions never import it back.
 */
export interface CallSite {
  readonly sql: string;
  /** Translates an argument (an expression or a query fragment). */
  expr(nodes: Node[]): string;
  /** A string-literal argument's text (after parameters are inlined), or undefined. */
  literalString(nodes: Node[]): string | undefined;
  fail(construct: string, at: Node | number | undefined, detail?: string): never;
}

/** One call site: `NAME(args) [OVER ...]`. */
export interface Call {
  readonly t: CallSite;
  readonly name: string;
  readonly token: Token;
  readonly group: Group | undefined;
  readonly args: Node[][];
  readonly over: string | undefined;
}

export type Handler = (c: Call) => string;

/** One family's functions by BigQuery name. */
export type FunctionFamily = Readonly<Record<string, Handler>>;

export function withOver(expr: string, over: string | undefined): string {
  return over ? `${expr} ${over}` : expr;
}

export function notFound(c: Call): never {
  return c.t.fail(
    `function ${c.token.value}`,
    c.token,
    `Function not found: ${c.token.value} (not supported by the BigQuery emulator)`,
  );
}

/** A function whose DuckDB namesake `fn` has the same meaning for BigQuery's argument types. */
export function same(fn: string): Handler {
  return (c) => (c.group ? withOver(`${fn}(${c.t.expr(c.group.items)})`, c.over) : notFound(c));
}

export function arity(c: Call, min: number, max = min): void {
  if (c.args.length < min || c.args.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    c.t.fail(
      `function ${c.token.value}`,
      c.token,
      `No matching signature for function ${c.name}: expected ${want} arguments, got ${c.args.length}`,
    );
  }
}

/** Translated arguments. */
export function a(c: Call): string[] {
  return c.args.map((arg) => c.t.expr(arg));
}
