import { type Call, type FunctionFamily, type Handler, a, arity, same } from './call.js';

const substr: Handler = (c) => {
  arity(c, 2, 3);
  const [s, p, len] = a(c);
  // BigQuery: position 0 means 1, and a negative position before the start clamps to 1.
  const pos =
    /^\d+$/.test(p!) && p !== '0'
      ? p
      : `(CASE WHEN (${p}) > 0 THEN (${p}) WHEN (${p}) = 0 THEN 1 ELSE greatest(length(${s}) + (${p}) + 1, 1) END)`;
  if (len === undefined) return `substring(${s}, ${pos})`;
  return `substring(${s}, ${pos}, (CASE WHEN (${len}) < 0 THEN error('SUBSTR: negative length') ELSE (${len}) END))`;
};

const pad =
  (fn: string): Handler =>
  (c) => {
    arity(c, 2, 3);
    const [s, n, p] = a(c);
    return `${fn}(${s}, CAST(${n} AS INTEGER), ${p ?? "' '"})`;
  };

const regexGroup = (c: Call, k: number): number => {
  const re = c.t.literalString(c.args[k]!);
  if (re === undefined)
    return c.t.fail(`${c.name} with a non-literal regular expression`, c.args[k]![0]);
  const groups = countGroups(re);
  if (groups > 1)
    c.t.fail(
      c.name,
      c.args[k]![0],
      'Regular expressions passed into extraction functions must not have more than 1 capturing group',
    );
  return groups;
};

const regexpExtract: Handler = (c) => {
  arity(c, 2, 2);
  const [s, re] = a(c);
  const g = regexGroup(c, 1);
  // DuckDB returns '' where BigQuery returns NULL for no match.
  return `(CASE WHEN regexp_matches(${s}, ${re}) THEN regexp_extract(${s}, ${re}, ${g}) END)`;
};

function countGroups(re: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const ch = re[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(' && re[i + 1] !== '?') n++;
    else if (ch === '(' && re[i + 2] === 'P') n++;
  }
  return n;
}

/** A digest as BYTES: DuckDB's hash functions give hex text. */
const digest =
  (fn: string): Handler =>
  (c) => {
    arity(c, 1);
    return `unhex(${fn}(${a(c)[0]}))`;
  };

/** String and bytes functions. */
export const STRING_FUNCTIONS: FunctionFamily = {
  CONCAT: (c) => {
    arity(c, 1, 999);
    const xs = a(c);
    // `||` is NULL if any operand is NULL, like BigQuery's CONCAT (DuckDB's concat skips NULLs).
    return xs.length === 1 ? `(${xs[0]})` : `(${xs.map((x) => `(${x})`).join(' || ')})`;
  },
  SUBSTR: substr,
  SUBSTRING: substr,
  LPAD: pad('lpad'),
  RPAD: pad('rpad'),
  LEFT: (c) => {
    arity(c, 2);
    const [s, n] = a(c);
    return `left(${s}, CAST(${n} AS INTEGER))`;
  },
  RIGHT: (c) => {
    arity(c, 2);
    const [s, n] = a(c);
    return `right(${s}, CAST(${n} AS INTEGER))`;
  },
  REPEAT: (c) => {
    arity(c, 2);
    const [s, n] = a(c);
    return `repeat(${s}, CAST(${n} AS BIGINT))`;
  },
  SPLIT: (c) => {
    arity(c, 1, 2);
    const [s, d] = a(c);
    return `string_split(${s}, ${d ?? "','"})`;
  },
  REGEXP_CONTAINS: (c) => {
    arity(c, 2);
    const [s, re] = a(c);
    return `regexp_matches(${s}, ${re})`;
  },
  REGEXP_REPLACE: (c) => {
    arity(c, 3);
    const [s, re, rep] = a(c);
    return `regexp_replace(${s}, ${re}, ${rep}, 'g')`;
  },
  REGEXP_EXTRACT: regexpExtract,
  REGEXP_SUBSTR: regexpExtract,
  REGEXP_EXTRACT_ALL: (c) => {
    arity(c, 2);
    const [s, re] = a(c);
    return `regexp_extract_all(${s}, ${re}, ${regexGroup(c, 1)})`;
  },
  TO_HEX: (c) => {
    arity(c, 1);
    return `lower(hex(${a(c)[0]}))`;
  },
  MD5: digest('md5'),
  SHA1: digest('sha1'),
  SHA256: digest('sha256'),
  GENERATE_UUID: (c) => {
    arity(c, 0);
    return 'CAST(uuid() AS VARCHAR)';
  },
  LOWER: same('lower'),
  UPPER: same('upper'),
  LENGTH: same('length'),
  CHAR_LENGTH: same('length'),
  CHARACTER_LENGTH: same('length'),
  BYTE_LENGTH: same('strlen'),
  TRIM: same('trim'),
  LTRIM: same('ltrim'),
  RTRIM: same('rtrim'),
  REPLACE: same('replace'),
  REVERSE: same('reverse'),
  STARTS_WITH: same('starts_with'),
  ENDS_WITH: same('ends_with'),
  STRPOS: same('strpos'),
  ASCII: same('ascii'),
  CHR: same('chr'),
  TRANSLATE: same('translate'),
  TO_BASE64: same('to_base64'),
  FROM_BASE64: same('from_base64'),
  FROM_HEX: same('unhex'),
};
