import { type FunctionFamily, a, arity, same } from './call.js';
import { DATE_ADD_PARTS, SUB_DAY, intervalArg, tsArg } from './dates.js';

/** Array functions. */
export const ARRAY_FUNCTIONS: FunctionFamily = {
  ARRAY_CONCAT: (c) => {
    arity(c, 1, 999);
    return `(${a(c)
      .map((x) => `(${x})`)
      .join(' || ')})`;
  },
  ARRAY_TO_STRING: (c) => {
    arity(c, 2, 3);
    const [arr, sep, nullText] = a(c);
    if (nullText === undefined) return `array_to_string(${arr}, ${sep})`;
    return `array_to_string(list_transform(${arr}, __x -> coalesce(__x, ${nullText})), ${sep})`;
  },
  GENERATE_ARRAY: (c) => {
    arity(c, 2, 3);
    const [s, e, step] = a(c);
    return `generate_series(${s}, ${e}, ${step ?? '1'})`;
  },
  GENERATE_DATE_ARRAY: (c) => {
    arity(c, 2, 3);
    const s = `CAST(${tsArg(c, 0, 'DATE')} AS DATE)`;
    const e = `CAST(${tsArg(c, 1, 'DATE')} AS DATE)`;
    const step = c.args[2] ? intervalArg(c, c.args[2], DATE_ADD_PARTS) : 'INTERVAL 1 DAY';
    // start + k * step for each k, as BigQuery does (2024-01-31 + 2 months is 2024-03-31, where
    // DuckDB's generate_series would step 01-31 → 02-29 → 03-29). A step is at least a day, so the
    // day count bounds k.
    const ks = `generate_series(0, abs(date_diff('day', ${s}, ${e})))`;
    const dates = `list_transform(${ks}, __k -> CAST(${s} + __k * ${step} AS DATE))`;
    return `list_filter(${dates}, __d -> CASE WHEN ${s} + ${step} > ${s} THEN __d <= ${e} ELSE __d >= ${e} END)`;
  },
  GENERATE_TIMESTAMP_ARRAY: (c) => {
    arity(c, 3);
    const s = tsArg(c, 0);
    const e = tsArg(c, 1);
    return `generate_series(${s}, ${e}, ${intervalArg(c, c.args[2], [...SUB_DAY, 'DAY'])})`;
  },
  ARRAY_LENGTH: same('len'),
  ARRAY_REVERSE: same('list_reverse'),
};
