import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildEnvelope } from './envelope.js';
import { countJsonMembers, jsonMemberSpan, memberValueText } from './json-member-span.js';
import { readVelibJson } from './testing/fixtures.js';

/*
 * JSON text written by hand here, so that it can hold what JSON.stringify never writes: repeated
 * keys, any whitespace, escapes for any character, numbers in any spelling.
 */
type Node =
  | { kind: 'object'; entries: [string, Node][] }
  | { kind: 'array'; items: Node[] }
  | { kind: 'string'; value: string }
  | { kind: 'literal'; text: string };

interface Style {
  /** Whitespace pieces, used in turn wherever JSON allows whitespace. */
  readonly spaces: readonly string[];
  /** Escape every character of a string as \uXXXX, instead of JSON.stringify's escaping. */
  readonly escapeAll: boolean;
  /** Write '/' as '\/'. */
  readonly escapeSlash: boolean;
}

function print(node: Node, style: Style): string {
  let turn = 0;
  const ws = () => style.spaces[turn++ % style.spaces.length] ?? '';
  const str = (value: string) => {
    if (style.escapeAll) return `"${unicodeEscape(value)}"`;
    const text = JSON.stringify(value);
    return style.escapeSlash ? text.replaceAll('/', '\\/') : text;
  };
  const go = (n: Node): string => {
    switch (n.kind) {
      case 'object':
        return `{${ws()}${n.entries.map(([k, v]) => `${str(k)}${ws()}:${ws()}${go(v)}`).join(`${ws()},${ws()}`)}${ws()}}`;
      case 'array':
        return `[${ws()}${n.items.map(go).join(`${ws()},${ws()}`)}${ws()}]`;
      case 'string':
        return str(n.value);
      case 'literal':
        return n.text;
    }
  };
  return `${ws()}${go(node)}${ws()}`;
}

/** Every UTF-16 unit of the text as a \\uXXXX escape. */
function unicodeEscape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    out += `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  return out;
}

/** Whether a key repeats in some object, at any depth. */
function hasRepeatedKey(node: Node): boolean {
  if (node.kind === 'array') return node.items.some(hasRepeatedKey);
  if (node.kind !== 'object') return false;
  const keys = node.entries.map(([k]) => k);
  return new Set(keys).size !== keys.length || node.entries.some(([, v]) => hasRepeatedKey(v));
}

/** Number spellings that another JSON reader may not read as JavaScript's double does. */
const INEXACT_NUMBERS = [
  '1.0',
  '1e3',
  '1E+2',
  '-0',
  '12345678901234567890',
  '9007199254740993',
  '1.50',
  '0.10e1',
];

function hasInexactNumber(node: Node): boolean {
  if (node.kind === 'array') return node.items.some(hasInexactNumber);
  if (node.kind === 'object') return node.entries.some(([, v]) => hasInexactNumber(v));
  return node.kind === 'literal' && INEXACT_NUMBERS.includes(node.text);
}

const tricky = fc.constantFrom('{', '}', '[', ']', '"', '\\', ':', ',', '/', 'a', 'é', '😀', '\n');
const key = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.constantFrom('payload', 'data', '__proto__', '0', '12', '{"payload":1}'),
  },
  { weight: 3, arbitrary: fc.string({ unit: tricky, maxLength: 4 }) },
);
const literal = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...INEXACT_NUMBERS) },
  { weight: 6, arbitrary: fc.constantFrom('true', 'false', 'null') },
  { weight: 6, arbitrary: fc.integer().map(String) },
  { weight: 6, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String) },
);
const { node, container } = fc.letrec<{ node: Node; container: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal.map((text): Node => ({ kind: 'literal', text })),
    fc.string({ unit: tricky, maxLength: 6 }).map((value): Node => ({ kind: 'string', value })),
    tie('container'),
  ),
  container: fc.oneof(
    fc
      .array(fc.tuple(key, tie('node')), { maxLength: 4 })
      .map((entries): Node => ({ kind: 'object', entries })),
    fc.array(tie('node'), { maxLength: 4 }).map((items): Node => ({ kind: 'array', items })),
  ),
}));
const style = fc.record({
  spaces: fc.array(fc.constantFrom('', '', ' ', '\n  ', '\t', '\r\n'), { minLength: 1 }),
  escapeAll: fc.constantFrom(false, false, false, true),
  escapeSlash: fc.boolean(),
});
/** A document whose top-level object has "payload" members (mostly one) among others. */
const documentNode = fc
  .tuple(
    fc.array(fc.tuple(key, node), { maxLength: 3 }),
    fc.oneof(
      { weight: 4, arbitrary: fc.tuple(container) },
      { weight: 1, arbitrary: fc.array(node, { maxLength: 2 }) },
    ),
    fc.array(fc.tuple(key, node), { maxLength: 3 }),
  )
  .map(([before, payloads, after]): Node => ({
    kind: 'object',
    entries: [...before, ...payloads.map((p): [string, Node] => ['payload', p]), ...after],
  }));

describe('jsonMemberSpan', () => {
  it('spans text that parses to the value JSON.parse found there (property)', () => {
    fc.assert(
      fc.property(documentNode, style, (doc, s) => {
        const text = print(doc, s);
        const span = jsonMemberSpan(text, ['payload']);
        if (span === null) return;
        const parsed = JSON.parse(text) as { payload: unknown };
        expect(JSON.parse(text.slice(span.start, span.end))).toEqual(parsed.payload);
      }),
      { numRuns: 1000 },
    );
  });

  it('goes down a path and finds members after nested namesakes', () => {
    const text = '{"a":{"payload":{"x":1}},"payload" : {"data":{"stations":[1, 2]}} }';
    const span = jsonMemberSpan(text, ['payload', 'data', 'stations'])!;
    expect(text.slice(span.start, span.end)).toBe('[1, 2]');
    expect(span.stringifyForm).toBe(false);
    expect(jsonMemberSpan(text, ['payload', 'nope'])).toBeNull();
    expect(jsonMemberSpan('[{"payload":1}]', ['payload'])).toBeNull();
    expect(jsonMemberSpan('{"payload":1}', [])).toBeNull();
  });

  it('counts object members and tells the text’s form', () => {
    const span = (text: string) => jsonMemberSpan(`{"p":${text}}`, ['p'])!;
    expect(span('{"a":{"b":1,"c":[{"d":2}]}}')).toMatchObject({
      keyCount: 4,
      stringifyForm: true,
      exactNumbers: true,
    });
    expect(span('{"a":1,"a":2}').keyCount).toBe(2);
    expect(span('[1.5, 2]')).toMatchObject({ stringifyForm: false, exactNumbers: true });
    expect(span('"a\\/b"')).toMatchObject({ stringifyForm: false, exactNumbers: true });
    expect(span('{"10":1}')).toMatchObject({ stringifyForm: false, exactNumbers: true });
    for (const inexact of INEXACT_NUMBERS) {
      expect(span(`[${inexact}]`)).toMatchObject({ stringifyForm: false, exactNumbers: false });
    }
    for (const exact of [
      '0',
      '-5',
      '0.1',
      '1e+21',
      '1.5e-7',
      '9007199254740992',
      '123456789012345',
    ]) {
      expect(span(`[${exact}]`).exactNumbers, exact).toBe(true);
    }
  });
});

describe('memberValueText', () => {
  const payloadOf = (text: string) => (JSON.parse(text) as { payload: unknown }).payload;

  it('gives text only when it stands for the parsed value for any reader (property)', () => {
    fc.assert(
      fc.property(documentNode, style, (doc, s) => {
        const text = print(doc, s);
        const payload = payloadOf(text);
        const slice = memberValueText(text, ['payload'], payload);
        if (slice === null) return;
        expect(JSON.parse(slice)).toEqual(payload);
        // One "payload" member, holding no repeated key and no number spelled ambiguously.
        if (doc.kind !== 'object') throw new Error('document is an object');
        const members = doc.entries.filter(([k]) => k === 'payload');
        expect(members).toHaveLength(1);
        expect(hasRepeatedKey(members[0]![1])).toBe(false);
        expect(hasInexactNumber(members[0]![1])).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives the payload’s own text for any JSON object or array, compact or indented (property)', () => {
    const container = fc.oneof(
      fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
      fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }),
    );
    fc.assert(
      fc.property(
        container,
        fc.jsonValue({ maxDepth: 1 }),
        fc.constantFrom(undefined, 1, '\t'),
        (payload, other, space) => {
          const text = JSON.stringify({ before: other, payload, after: other }, null, space);
          const parsed = payloadOf(text);
          const slice = memberValueText(text, ['payload'], parsed);
          expect(slice).not.toBeNull();
          expect(JSON.parse(slice!)).toEqual(parsed);
          if (space === undefined) expect(slice).toBe(JSON.stringify(parsed));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('is the compact payload of a real Vélib envelope, byte for byte', () => {
    const document = readVelibJson('station_status.json');
    const envelope = buildEnvelope({
      document,
      source: 'velib',
      eventType: 'station_status_snapshot',
      ingestTs: new Date('2025-10-18T09:10:00.000Z'),
    });
    const text = JSON.stringify(envelope);
    expect(memberValueText(text, ['payload'], payloadOf(text))).toBe(
      JSON.stringify(envelope.payload),
    );
  });

  it('declines what it cannot vouch for', () => {
    const none = (text: string) => memberValueText(text, ['payload'], payloadOf(text));
    expect(none('{"payload":"{\\"a\\":1}"}')).toBeNull(); // a string, not an object
    expect(none('{"payload":7}')).toBeNull();
    expect(none('{"payload":null}')).toBeNull();
    expect(none('{"payload":{"a":1},"payload":{"a":2}}')).toBeNull(); // JSON.parse keeps the last
    // The same key, spelled with an escape: JSON.parse keeps the last one.
    expect(none('{"payload":{"a":1},"pay\\u006coad":{"a":2}}')).toBeNull();
    expect(none('{"pay\\u006coad":{"a":2},"payload":{"a":1}}')).toBeNull();
    expect(none('{"payload":{"a":1,"a":2}}')).toBeNull(); // other readers may keep the first
    expect(none('{"payload":[{"b":{"c":1,"c":1}}]}')).toBeNull();
    expect(none('{"payload":{"big":12345678901234567890}}')).toBeNull();
    expect(none('{"payload":{"s":"\ud800"}}')).toBeNull(); // a lone surrogate: not UTF-8
    // Deeper than the stack: declined, not thrown.
    const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    expect(none(`{"payload":${deep}}`)).toBeNull();
    // And what it takes: whitespace and escapes change no value.
    expect(none('{"pay\\u006coad":{"a":1},"\\"":2}')).toBe('{"a":1}');
    expect(none('{"payload" :\n {"a": "x\\/y\\u0041",\t"b":[1, 2.5]} }')).toBe(
      '{"a": "x\\/y\\u0041",\t"b":[1, 2.5]}',
    );
  });

  it('wants the parsed value of that member: a different one is declined', () => {
    const text = '{"payload":{"a":{"b":1}}}';
    expect(memberValueText(text, ['payload'], { a: 1 })).toBeNull();
    expect(memberValueText(text, ['payload'], [{ a: 1, b: 2 }])).toBeNull();
    expect(memberValueText(text, ['payload'], 'x')).toBeNull();
  });
});

describe('countJsonMembers', () => {
  it('counts object members at every depth, -1 when nested too deep', () => {
    expect(countJsonMembers({ a: 1, b: [{ c: 2 }, { d: { e: null } }] })).toBe(5);
    expect(countJsonMembers(JSON.parse('{"__proto__":{"x":1}}'))).toBe(2);
    expect(countJsonMembers([1, 'a', null])).toBe(0);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(countJsonMembers(deep)).toBe(-1);
  });
});
