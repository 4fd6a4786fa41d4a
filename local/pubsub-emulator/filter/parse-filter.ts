/**
 * The subscription filter language (https://cloud.google.com/pubsub/docs/subscription-message-filter):
 *   attributes.KEY = "v" | attributes.KEY != "v" | attributes:KEY | hasPrefix(attributes.KEY, "p")
 * combined with NOT / AND / OR and parentheses. Like the real service, AND and OR cannot be mixed at
 * one level without parentheses. Keys are identifiers or quoted strings.
 */
export type Filter = (attributes: Readonly<Record<string, string>>) => boolean;

export class FilterSyntaxError extends Error {}

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'op'; text: '=' | '!=' | ':' | '(' | ')' | ',' | '.' | '-' };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '"' || c === "'") {
      let text = '';
      i += 1;
      while (i < source.length && source[i] !== c) {
        if (source[i] === '\\' && i + 1 < source.length) i += 1;
        text += source[i];
        i += 1;
      }
      if (i >= source.length) throw new FilterSyntaxError('unterminated string');
      i += 1;
      tokens.push({ kind: 'string', text });
    } else if (c === '!' && source[i + 1] === '=') {
      tokens.push({ kind: 'op', text: '!=' });
      i += 2;
    } else if ('=:(),.-'.includes(c)) {
      tokens.push({ kind: 'op', text: c as '=' });
      i += 1;
    } else if (/[A-Za-z0-9_]/.test(c)) {
      let text = '';
      while (i < source.length && /[A-Za-z0-9_]/.test(source[i]!)) text += source[i++];
      tokens.push({ kind: 'word', text });
    } else {
      throw new FilterSyntaxError(`unexpected character "${c}"`);
    }
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Filter {
    const filter = this.expression();
    if (this.at < this.tokens.length) throw new FilterSyntaxError('unexpected trailing input');
    return filter;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }
  private isWord(text: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.text === text;
  }
  private isOp(text: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.text === text;
  }
  private expectOp(text: string): void {
    if (!this.isOp(text)) throw new FilterSyntaxError(`expected "${text}"`);
    this.at += 1;
  }

  private expression(): Filter {
    const first = this.unary();
    if (!this.isWord('AND') && !this.isWord('OR')) return first;
    const joiner = (this.peek() as { text: string }).text;
    const parts = [first];
    while (this.isWord('AND') || this.isWord('OR')) {
      if ((this.peek() as { text: string }).text !== joiner) {
        throw new FilterSyntaxError('AND and OR must be separated by parentheses');
      }
      this.at += 1;
      parts.push(this.unary());
    }
    return joiner === 'AND' ? (a) => parts.every((p) => p(a)) : (a) => parts.some((p) => p(a));
  }

  private unary(): Filter {
    if (this.isWord('NOT') || this.isOp('-')) {
      this.at += 1;
      const inner = this.unary();
      return (a) => !inner(a);
    }
    return this.primary();
  }

  private primary(): Filter {
    if (this.isOp('(')) {
      this.at += 1;
      const inner = this.expression();
      this.expectOp(')');
      return inner;
    }
    if (this.isWord('hasPrefix')) {
      this.at += 1;
      this.expectOp('(');
      const key = this.attributeKey('.');
      this.expectOp(',');
      const prefix = this.stringLiteral();
      this.expectOp(')');
      return (a) => Object.hasOwn(a, key) && a[key]!.startsWith(prefix);
    }
    if (!this.isWord('attributes')) throw new FilterSyntaxError('expected "attributes"');
    this.at += 1;
    if (this.isOp(':')) {
      this.at += 1;
      const key = this.key();
      return (a) => Object.hasOwn(a, key);
    }
    this.expectOp('.');
    const key = this.key();
    if (this.isOp('=') || this.isOp('!=')) {
      const negate = (this.peek() as { text: string }).text === '!=';
      this.at += 1;
      const value = this.stringLiteral();
      return negate
        ? (a) => !(Object.hasOwn(a, key) && a[key] === value)
        : (a) => Object.hasOwn(a, key) && a[key] === value;
    }
    if (this.isOp(':')) {
      // attributes.KEY:"v" — has the key with that value is not in the language; reject clearly.
      throw new FilterSyntaxError('use attributes:KEY to test presence');
    }
    throw new FilterSyntaxError('expected "=" or "!="');
  }

  private attributeKey(separator: '.'): string {
    if (!this.isWord('attributes')) throw new FilterSyntaxError('expected "attributes"');
    this.at += 1;
    this.expectOp(separator);
    return this.key();
  }

  private key(): string {
    const t = this.peek();
    if (t?.kind === 'word' || t?.kind === 'string') {
      this.at += 1;
      // Identifiers may contain dashes (attributes.event-type): glue "-" word pieces back together.
      let text = t.text;
      while (t.kind === 'word' && this.isOp('-') && this.tokens[this.at + 1]?.kind === 'word') {
        text += '-' + (this.tokens[this.at + 1] as { text: string }).text;
        this.at += 2;
      }
      return text;
    }
    throw new FilterSyntaxError('expected an attribute key');
  }

  private stringLiteral(): string {
    const t = this.peek();
    if (t?.kind !== 'string') throw new FilterSyntaxError('expected a quoted string');
    this.at += 1;
    return t.text;
  }
}

/** Compiles a filter; the empty filter matches everything. Throws FilterSyntaxError. */
export function parseFilter(source: string): Filter {
  if (source.trim() === '') return () => true;
  return new Parser(tokenize(source)).parse();
}
