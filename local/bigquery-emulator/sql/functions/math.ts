import { type FunctionFamily, type Handler, a, arity, same } from './call.js';

const zeroChecked =
  (op: string, what: string): Handler =>
  (c) => {
    arity(c, 2);
    const [x, y] = a(c);
    return `((${x}) ${op} (CASE WHEN (${y}) = 0 THEN error('${what}: division by zero') ELSE (${y}) END))`;
  };

/** SAFE_ADD and friends: NULL where DuckDB would raise an overflow. */
const safeBinary =
  (op: string): Handler =>
  (c) => {
    arity(c, 2);
    const [x, y] = a(c);
    return `try((${x}) ${op} (${y}))`;
  };

/** `fn(x[, digits])` with the digit count as DuckDB's INTEGER. */
const withDigits =
  (fn: string): Handler =>
  (c) => {
    arity(c, 1, 2);
    const xs = a(c);
    return xs.length === 1 ? `${fn}(${xs[0]})` : `${fn}(${xs[0]}, CAST(${xs[1]} AS INTEGER))`;
  };

/** Arithmetic and mathematical functions. */
export const MATH_FUNCTIONS: FunctionFamily = {
  ABS: same('abs'),
  SIGN: same('sign'),
  SQRT: same('sqrt'),
  POW: same('pow'),
  POWER: same('power'),
  EXP: same('exp'),
  LN: same('ln'),
  LOG10: same('log10'),
  SIN: same('sin'),
  COS: same('cos'),
  TAN: same('tan'),
  ASIN: same('asin'),
  ACOS: same('acos'),
  ATAN: same('atan'),
  ATAN2: same('atan2'),
  CEIL: same('ceil'),
  CEILING: same('ceiling'),
  FLOOR: same('floor'),
  IS_NAN: same('isnan'),
  IS_INF: same('isinf'),
  SAFE_DIVIDE: (c) => {
    arity(c, 2);
    const [x, y] = a(c);
    return `((${x}) / nullif(${y}, 0))`;
  },
  DIV: zeroChecked('//', 'DIV'),
  MOD: zeroChecked('%', 'MOD'),
  SAFE_ADD: safeBinary('+'),
  SAFE_SUBTRACT: safeBinary('-'),
  SAFE_MULTIPLY: safeBinary('*'),
  SAFE_NEGATE: (c) => {
    arity(c, 1);
    return `try(-(${a(c)[0]}))`;
  },
  ROUND: withDigits('round'),
  TRUNC: withDigits('trunc'),
  LOG: (c) => {
    arity(c, 1, 2);
    const xs = a(c);
    // BigQuery LOG is the natural log (DuckDB's log is base 10).
    return xs.length === 1 ? `ln(${xs[0]})` : `(ln(${xs[0]}) / ln(${xs[1]}))`;
  },
  RAND: (c) => {
    arity(c, 0);
    return 'random()';
  },
};
