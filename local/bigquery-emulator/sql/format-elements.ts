/**
 * BigQuery format elements (FORMAT_TIMESTAMP & co.) mapped onto DuckDB strftime. Elements DuckDB
 * spells the same are copied; a few are rewritten; those with no strftime equivalent become
 * `special` pieces computed by an expression; anything else is refused.
 */
export type FormatPiece =
  | { readonly kind: 'strftime'; readonly text: string }
  | { readonly kind: 'special'; readonly element: string };

const SAME = new Set([
  'a',
  'A',
  'b',
  'B',
  'd',
  'H',
  'I',
  'j',
  'm',
  'M',
  'p',
  'S',
  'U',
  'W',
  'w',
  'y',
  'Y',
  'u',
  'V',
  'G',
]);

const REWRITE: Record<string, string> = {
  h: '%b',
  F: '%Y-%m-%d',
  T: '%H:%M:%S',
  D: '%m/%d/%y',
  R: '%H:%M',
  x: '%m/%d/%y',
  X: '%H:%M:%S',
  n: '\n',
  t: '\t',
  '%': '%%',
  E4Y: '%Y',
  E0S: '%S',
  E3S: '%S.%g',
  E6S: '%S.%f',
};

/** Elements computed by an expression instead of strftime. */
export const SPECIAL_ELEMENTS = new Set([
  'e',
  'k',
  'l',
  'C',
  'g',
  'Q',
  's',
  'P',
  'z',
  'Ez',
  'Z',
  'c',
]);

export class UnknownFormatElement extends Error {
  constructor(readonly element: string) {
    super(`format element %${element}`);
  }
}

export function splitFormat(format: string): FormatPiece[] {
  const pieces: FormatPiece[] = [];
  let text = '';
  const flush = (): void => {
    if (text) pieces.push({ kind: 'strftime', text });
    text = '';
  };
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch !== '%') {
      text += ch;
      continue;
    }
    const m = /^(E[0-9*]S|E4Y|Ez|E.|O.|.)/s.exec(format.slice(i + 1));
    if (!m) throw new UnknownFormatElement('');
    const el = m[1]!;
    i += el.length;
    if (SAME.has(el)) text += `%${el}`;
    else if (el in REWRITE) text += REWRITE[el]!;
    else if (SPECIAL_ELEMENTS.has(el)) {
      if (el === 'c') {
        // %c is "%a %b %e %H:%M:%S %Y" in BigQuery.
        text += '%a %b ';
        flush();
        pieces.push({ kind: 'special', element: 'e' });
        text += ' %H:%M:%S %Y';
      } else {
        flush();
        pieces.push({ kind: 'special', element: el });
      }
    } else throw new UnknownFormatElement(el);
  }
  flush();
  return pieces;
}

/** A strptime format for PARSE_*: only elements that parse the same way are accepted. */
export function parseFormat(format: string): string {
  let out = '';
  for (const piece of splitFormat(format)) {
    if (piece.kind === 'special') {
      if (piece.element === 'z' || piece.element === 'Ez') out += '%z';
      else throw new UnknownFormatElement(piece.element);
    } else out += piece.text;
  }
  return out;
}
