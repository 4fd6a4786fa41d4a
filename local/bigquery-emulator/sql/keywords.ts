/** BigQuery's reserved keywords: never an identifier unless backtick-quoted. */
export const BQ_RESERVED = new Set(
  `ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE CROSS
  CUBE CURRENT DEFAULT DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS EXTRACT FALSE
  FETCH FOLLOWING FOR FROM FULL GROUP GROUPING GROUPS HASH HAVING IF IGNORE IN INNER INTERSECT INTERVAL
  INTO IS JOIN LATERAL LEFT LIKE LIMIT LOOKUP MERGE NATURAL NEW NO NOT NULL NULLS OF ON OR ORDER OUTER
  OVER PARTITION PRECEDING PROTO QUALIFY RANGE RECURSIVE RESPECT RIGHT ROLLUP ROWS SELECT SET SOME
  STRUCT TABLESAMPLE THEN TO TREAT TRUE UNBOUNDED UNION UNNEST USING WHEN WHERE WINDOW WITH WITHIN`.split(
    /\s+/,
  ),
);

/** Reserved words that can start a call-like `WORD(` without being a function. */
export const NOT_FUNCTIONS = new Set([
  ...[...BQ_RESERVED].filter(
    (w) => !['CAST', 'EXTRACT', 'IF', 'LEFT', 'RIGHT', 'GROUPING'].includes(w),
  ),
  'VALUES',
  'SETS',
  'OPTIONS',
  'INSERT',
  'PIVOT',
  'UNPIVOT',
  'MATCH_RECOGNIZE',
]);

/**
 * Words DuckDB reserves but BigQuery lets you use as plain identifiers (from DuckDB's
 * `duckdb_keywords()`, category `reserved`, minus BigQuery's reserved words): quoted on output.
 */
export const DUCKDB_ONLY_RESERVED = new Set(
  `ANALYSE ANALYZE ASYMMETRIC BOTH CHECK COLUMN CONSTRAINT DEFERRABLE DESCRIBE DO FOREIGN INITIALLY
  LAMBDA LEADING ONLY PIVOT PIVOT_LONGER PIVOT_WIDER PLACING PRIMARY REFERENCES RETURNING SHOW SUMMARIZE
  SYMMETRIC TABLE TRAILING UNIQUE UNPIVOT VARIADIC`.split(/\s+/),
);

/** Clause keywords that end a select list, a FROM clause or an ORDER BY list at the same level. */
export const CLAUSE_KEYWORDS = new Set([
  'FROM',
  'WHERE',
  'GROUP',
  'HAVING',
  'QUALIFY',
  'WINDOW',
  'ORDER',
  'LIMIT',
  'UNION',
  'INTERSECT',
  'EXCEPT',
]);

/** Date/time parts, as used by INTERVAL, *_TRUNC, *_DIFF and EXTRACT. */
export const DATE_PARTS = new Set([
  'MICROSECOND',
  'MILLISECOND',
  'SECOND',
  'MINUTE',
  'HOUR',
  'DAY',
  'DAYOFWEEK',
  'DAYOFYEAR',
  'WEEK',
  'ISOWEEK',
  'MONTH',
  'QUARTER',
  'YEAR',
  'ISOYEAR',
  'DATE',
  'TIME',
  'DATETIME',
]);
