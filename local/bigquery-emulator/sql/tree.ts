import { UnsupportedSqlError, positionOf } from './errors.js';
import type { Token } from './tokenizer.js';

/** A bracketed run of tokens: `( ... )` or `[ ... ]`, with its contents nested the same way. */
export interface Group {
  readonly kind: 'group';
  readonly open: '(' | '[';
  readonly items: Node[];
  readonly openToken: Token;
  readonly closeToken: Token;
}

export type Node = Token | Group;

// Brands keep the type guards below from narrowing to `never` when they return false: a failed
// `isWord(n, 'AS')` does not mean `n` is not a token.
declare const checked: unique symbol;
export type CheckedToken = Token & { readonly [checked]: true };
export type CheckedGroup = Group & { readonly [checked]: true };

export function isGroup(node: Node | undefined, open?: '(' | '['): node is CheckedGroup {
  return node !== undefined && node.kind === 'group' && (open === undefined || node.open === open);
}

export function isOp(node: Node | undefined, ...ops: string[]): node is CheckedToken {
  return node !== undefined && node.kind === 'op' && ops.includes(node.value);
}

/** A plain (unquoted) word, compared case-insensitively. */
export function isWord(node: Node | undefined, ...words: string[]): node is CheckedToken {
  return (
    node !== undefined &&
    node.kind === 'ident' &&
    (words.length === 0 || words.includes(node.upper))
  );
}

export function startOf(node: Node): number {
  return node.kind === 'group' ? node.openToken.start : node.start;
}

export function endOf(node: Node): number {
  return node.kind === 'group' ? node.closeToken.end : node.end;
}

/** Nests tokens by their brackets; an unbalanced bracket is a syntax error. */
export function buildTree(tokens: Token[], sql: string): Node[] {
  const root: Node[] = [];
  const stack: { open: Token; items: Node[] }[] = [];
  let current = root;
  for (const t of tokens) {
    if (t.kind === 'op' && (t.value === '(' || t.value === '[')) {
      stack.push({ open: t, items: current });
      current = [];
      continue;
    }
    if (t.kind === 'op' && (t.value === ')' || t.value === ']')) {
      const top = stack.pop();
      const expected = top?.open.value === '(' ? ')' : ']';
      if (!top || t.value !== expected) {
        throw new UnsupportedSqlError(
          t.value,
          positionOf(sql, t.start),
          `Syntax error: unexpected "${t.value}"`,
        );
      }
      const group: Group = {
        kind: 'group',
        open: top.open.value as '(' | '[',
        items: current,
        openToken: top.open,
        closeToken: t,
      };
      current = top.items;
      current.push(group);
      continue;
    }
    current.push(t);
  }
  const unclosed = stack.pop();
  if (unclosed) {
    throw new UnsupportedSqlError(
      unclosed.open.value,
      positionOf(sql, unclosed.open.start),
      `Syntax error: unclosed "${unclosed.open.value}"`,
    );
  }
  return root;
}

/**
 * Splits a node list at top-level commas (commas inside brackets are already nested away; those
 * inside a type's angle brackets, as in `STRUCT<a INT64, b STRING>`, are skipped here).
 */
export function splitCommas(nodes: Node[]): Node[][] {
  const parts: Node[][] = [[]];
  let angle = 0;
  nodes.forEach((node, k) => {
    if (isOp(node, '<') && isWord(nodes[k - 1], 'ARRAY', 'STRUCT')) angle++;
    else if (angle > 0 && isOp(node, '>')) angle--;
    else if (angle > 0 && isOp(node, '>>')) angle = Math.max(0, angle - 2);
    if (isOp(node, ',') && angle === 0) parts.push([]);
    else parts[parts.length - 1]!.push(node);
  });
  if (parts.length === 1 && parts[0]!.length === 0) return [];
  return parts;
}
