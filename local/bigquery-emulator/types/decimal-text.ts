/** Exact decimal text ↔ scaled integers, for NUMERIC and BIGNUMERIC values. Pure. */

const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A decimal literal as an integer scaled by 10^scale, rounding half away from zero (BigQuery's
 * rounding for NUMERIC). Returns undefined when the text is not a decimal number.
 */
export function parseScaledDecimal(text: string, scale: number): bigint | undefined {
  const match = DECIMAL_TEXT.exec(text.trim());
  if (!match) return undefined;
  const [, sign, intPart = '', fracPart = '', exponentText] = match;
  if (intPart === '' && fracPart === '') return undefined;
  const digits = intPart + fracPart;
  // value = digits × 10^(exponent − fracPart.length); we want value × 10^scale.
  const shift = Number(exponentText ?? 0) - fracPart.length + scale;
  let scaled: bigint;
  if (shift >= 0) {
    scaled = BigInt(digits || '0') * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    const whole = BigInt(digits || '0');
    scaled = whole / divisor;
    if ((whole % divisor) * 2n >= divisor) scaled += 1n;
  }
  return sign === '-' ? -scaled : scaled;
}

/** Exact text of a scaled decimal, without trailing fractional zeros (how BigQuery prints). */
export function formatScaledDecimal(scaled: bigint, scale: number): string {
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

const BIGNUMERIC_SCALE = 38;
const BIGNUMERIC_LIMIT = 10n ** 76n; // 38 integer digits + 38 fractional digits

/**
 * The canonical text a BIGNUMERIC value is stored as (rounded to 38 decimals, no exponent, no
 * trailing zeros: `'+01.50e1'` → `'15'`), or undefined when the text is no decimal number or
 * out of BIGNUMERIC's range. Columns, CAST of literals, typed literals and parameters all use it.
 */
export function canonicalBigNumeric(text: string): string | undefined {
  const scaled = parseScaledDecimal(text, BIGNUMERIC_SCALE);
  if (scaled === undefined || scaled >= BIGNUMERIC_LIMIT || scaled <= -BIGNUMERIC_LIMIT) {
    return undefined;
  }
  return formatScaledDecimal(scaled, BIGNUMERIC_SCALE);
}
