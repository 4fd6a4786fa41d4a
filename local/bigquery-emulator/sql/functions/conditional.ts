import { type FunctionFamily, type Handler, a, arity, same } from './call.js';

const greatestLeast =
  (fn: string): Handler =>
  (c) => {
    if (c.args.length === 0) arity(c, 1, 99);
    const xs = a(c);
    // BigQuery returns NULL if any argument is NULL; DuckDB's greatest/least skip NULLs.
    return `(CASE WHEN ${xs.map((x) => `(${x}) IS NULL`).join(' OR ')} THEN NULL ELSE ${fn}(${xs.join(', ')}) END)`;
  };

/** Conditionals and NULL handling. */
export const CONDITIONAL_FUNCTIONS: FunctionFamily = {
  IF: (c) => {
    arity(c, 3);
    const [cond, yes, no] = a(c);
    return `(CASE WHEN ${cond} THEN ${yes} ELSE ${no} END)`;
  },
  IFNULL: (c) => {
    arity(c, 2);
    return `coalesce(${a(c).join(', ')})`;
  },
  COALESCE: same('coalesce'),
  NULLIF: same('nullif'),
  GREATEST: greatestLeast('greatest'),
  LEAST: greatestLeast('least'),
};
