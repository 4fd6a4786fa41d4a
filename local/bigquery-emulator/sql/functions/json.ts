import { type FunctionFamily, type Handler, a, arity } from './call.js';

const jsonValue: Handler = (c) => {
  arity(c, 1, 2);
  const [j, path] = a(c);
  const p = path ?? "'$'";
  // Objects and arrays are not scalars: BigQuery returns NULL for them.
  return `(CASE WHEN json_type(${j}, ${p}) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(${j}, ${p}) END)`;
};

const jsonQuery: Handler = (c) => {
  arity(c, 1, 2);
  const [j, path] = a(c);
  return `json_extract(${j}, ${path ?? "'$'"})`;
};

/** JSON functions. */
export const JSON_FUNCTIONS: FunctionFamily = {
  JSON_VALUE: jsonValue,
  JSON_EXTRACT_SCALAR: jsonValue,
  JSON_QUERY: jsonQuery,
  JSON_EXTRACT: jsonQuery,
  PARSE_JSON: (c) => {
    arity(c, 1);
    return `CAST(${a(c)[0]} AS JSON)`;
  },
};
