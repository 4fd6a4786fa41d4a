// Construct by construct: BigQuery SQL translated, run on a real in-memory DuckDB, compared with
// the value BigQuery gives (worked out by hand from BigQuery's documented semantics).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Params, createHarness } from '../testing/duckdb-harness.js';
import { UnsupportedSqlError, translate } from './index.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await h.table(
    't',
    'id BIGINT, name VARCHAR, score DOUBLE, grp VARCHAR, ts TIMESTAMPTZ, tags VARCHAR[]',
    `(1, 'a', 1.5, 'x', '2024-01-01 10:00:00+00', ['p', 'q']),
     (2, 'b', NULL, 'x', '2024-01-02 11:30:00+00', []),
     (3, NULL, 3.0, 'y', NULL, NULL),
     (4, 'd', 0.5, 'y', '2024-01-03 23:59:59+00', ['r'])`,
  );
  await h.table('other', 'id BIGINT, v VARCHAR', `(1, 'one'), (3, 'three')`, 'ds2');
});

afterAll(() => h.close());

async function one(sql: string, params?: Params): Promise<Record<string, unknown>> {
  const rows = await h.query(sql, params);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

async function value(expr: string, params?: Params): Promise<unknown> {
  return (await one(`SELECT ${expr} AS v`, params)).v;
}

function unsupported(sql: string, params?: Params): UnsupportedSqlError {
  try {
    h.translate(sql, params);
  } catch (err) {
    expect(err).toBeInstanceOf(UnsupportedSqlError);
    return err as UnsupportedSqlError;
  }
  throw new Error(`expected ${sql} to be refused`);
}

describe('names and tables', () => {
  it('backtick `project.dataset.table`, `project`.dataset.table, dataset.table and bare table', async () => {
    for (const from of [
      '`proj.ds.t`',
      '`proj`.ds.t',
      'proj.ds.t',
      '`proj.ds`.t',
      'ds.t',
      't',
      '`ds.t`',
    ]) {
      expect(await one(`SELECT COUNT(*) AS n FROM ${from}`)).toEqual({ n: 4 });
    }
  });

  it('joins tables of two datasets with aliases', async () => {
    const rows = await h.query(
      'SELECT t.id, o.v FROM ds.t AS t JOIN ds2.other o ON o.id = t.id ORDER BY t.id',
    );
    expect(rows).toEqual([
      { id: 1, v: 'one' },
      { id: 3, v: 'three' },
    ]);
  });

  it('unknown tables reach the resolver, which refuses them', () => {
    expect(() => h.translate('SELECT * FROM ds.nope')).toThrow(/Not found: Table proj.ds.nope/);
  });

  it('double-quoted text is a string in BigQuery, not an identifier', async () => {
    expect(await value('"id"')).toBe('id');
  });

  it('unaliased expressions are named f0_, f1_ like BigQuery', async () => {
    expect(await one('SELECT id, id + 1, UPPER(name) FROM t WHERE id = 1')).toEqual({
      id: 1,
      f0_: 2,
      f1_: 'A',
    });
  });

  it('WITH names are not looked up as tables', async () => {
    expect(await one('WITH t AS (SELECT 7 AS x) SELECT x FROM t')).toEqual({ x: 7 });
  });
});

describe('select list', () => {
  it('SELECT * EXCEPT(...)', async () => {
    expect(await one('SELECT * EXCEPT(score, grp, ts, tags) FROM t WHERE id = 1')).toEqual({
      id: 1,
      name: 'a',
    });
  });

  it('SELECT * REPLACE(... AS col)', async () => {
    expect(
      await one(
        'SELECT * EXCEPT (score, grp, ts, tags) REPLACE (UPPER(name) AS name) FROM t WHERE id = 1',
      ),
    ).toEqual({
      id: 1,
      name: 'A',
    });
  });

  it('t.* EXCEPT in a join', async () => {
    expect(
      await one('SELECT o.* EXCEPT (id) FROM t JOIN ds2.other AS o USING (id) WHERE id = 3'),
    ).toEqual({ v: 'three' });
  });

  it('SELECT AS STRUCT inside ARRAY()', async () => {
    expect(
      await value('ARRAY(SELECT AS STRUCT id, name FROM t WHERE id <= 2 ORDER BY id)'),
    ).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
  });

  it('QUALIFY', async () => {
    const rows = await h.query(
      'SELECT grp, id FROM t WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY grp ORDER BY id DESC) = 1 ORDER BY grp',
    );
    expect(rows).toEqual([
      { grp: 'x', id: 2 },
      { grp: 'y', id: 4 },
    ]);
  });
});

describe('ordering and set operations', () => {
  it('ORDER BY puts NULLs first ascending and last descending, like BigQuery', async () => {
    expect((await h.query('SELECT score FROM t ORDER BY score')).map((r) => r.score)).toEqual([
      null,
      0.5,
      1.5,
      3,
    ]);
    expect((await h.query('SELECT score FROM t ORDER BY score DESC')).map((r) => r.score)).toEqual([
      3,
      1.5,
      0.5,
      null,
    ]);
    expect(
      (await h.query('SELECT score FROM t ORDER BY score ASC NULLS LAST')).map((r) => r.score),
    ).toEqual([0.5, 1.5, 3, null]);
  });

  it('UNION ALL, UNION DISTINCT, EXCEPT DISTINCT, INTERSECT DISTINCT', async () => {
    const q = (op: string) =>
      h.query(
        `SELECT x FROM (SELECT 1 AS x UNION ALL SELECT 1 UNION ALL SELECT 2) ${op} SELECT 2 ORDER BY x`,
      );
    expect(await q('UNION ALL')).toEqual([{ x: 1 }, { x: 1 }, { x: 2 }, { x: 2 }]);
    expect(await q('UNION DISTINCT')).toEqual([{ x: 1 }, { x: 2 }]);
    expect(await q('EXCEPT DISTINCT')).toEqual([{ x: 1 }]);
    expect(await q('INTERSECT DISTINCT')).toEqual([{ x: 2 }]);
    expect(unsupported('SELECT 1 UNION SELECT 2').construct).toBe('UNION without DISTINCT');
  });
});

describe('window functions', () => {
  it('ROW_NUMBER, RANK, LAG, LEAD, FIRST_VALUE, LAST_VALUE with frames', async () => {
    const rows = await h.query(`
      SELECT id,
        ROW_NUMBER() OVER w AS rn,
        RANK() OVER (ORDER BY grp) AS rk,
        LAG(id) OVER (ORDER BY id) AS prev,
        LEAD(id, 1, -1) OVER (ORDER BY id) AS nxt,
        FIRST_VALUE(score IGNORE NULLS) OVER (ORDER BY id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS fv,
        LAST_VALUE(id) OVER (PARTITION BY grp ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS lv,
        SUM(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS pair
      FROM t WINDOW w AS (ORDER BY id) ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, rn: 1, rk: 1, prev: null, nxt: 2, fv: 0.5, lv: 2, pair: 1 },
      { id: 2, rn: 2, rk: 1, prev: 1, nxt: 3, fv: 0.5, lv: 2, pair: 3 },
      { id: 3, rn: 3, rk: 3, prev: 2, nxt: 4, fv: 0.5, lv: 4, pair: 5 },
      { id: 4, rn: 4, rk: 3, prev: 3, nxt: -1, fv: 0.5, lv: 4, pair: 7 },
    ]);
  });
});

describe('time', () => {
  const ts = "TIMESTAMP '2024-10-27 00:30:00+00'"; // 02:30 CEST, before the autumn change

  it('TIMESTAMP_TRUNC with parts and an optional time zone', async () => {
    expect(await value(`TIMESTAMP_TRUNC(${ts}, HOUR)`)).toBe('2024-10-27 00:00:00+00');
    expect(await value(`TIMESTAMP_TRUNC(${ts}, DAY)`)).toBe('2024-10-27 00:00:00+00');
    // Paris midnight of 27 October is 22:00 UTC the day before (CEST).
    expect(await value(`TIMESTAMP_TRUNC(${ts}, DAY, 'Europe/Paris')`)).toBe(
      '2024-10-26 22:00:00+00',
    );
    expect(
      await value(`TIMESTAMP_TRUNC(TIMESTAMP '2024-10-27 01:30:00+00', HOUR, 'Europe/Paris')`),
    ).toBe('2024-10-27 01:00:00+00');
    // 2024-10-27 is a Sunday: WEEK starts on Sunday, WEEK(MONDAY)/ISOWEEK on the Monday before.
    expect(await value(`TIMESTAMP_TRUNC(TIMESTAMP '2024-10-27 12:00:00+00', WEEK)`)).toBe(
      '2024-10-27 00:00:00+00',
    );
    expect(await value(`TIMESTAMP_TRUNC(TIMESTAMP '2024-10-27 12:00:00+00', WEEK(MONDAY))`)).toBe(
      '2024-10-21 00:00:00+00',
    );
    expect(await value(`TIMESTAMP_TRUNC(TIMESTAMP '2024-10-27 12:00:00+00', ISOWEEK)`)).toBe(
      '2024-10-21 00:00:00+00',
    );
    expect(await value(`TIMESTAMP_TRUNC(${ts}, MONTH, 'Europe/Paris')`)).toBe(
      '2024-09-30 22:00:00+00',
    );
    expect(await value(`TIMESTAMP_TRUNC(${ts}, YEAR)`)).toBe('2024-01-01 00:00:00+00');
  });

  it('DATE_TRUNC and DATETIME_TRUNC', async () => {
    expect(await value("DATE_TRUNC(DATE '2024-10-30', WEEK)")).toBe('2024-10-27');
    expect(await value("DATE_TRUNC(DATE '2024-10-30', WEEK(SATURDAY))")).toBe('2024-10-26');
    expect(await value("DATE_TRUNC(DATE '2024-10-30', MONTH)")).toBe('2024-10-01');
    expect(await value("DATE_TRUNC(DATE '2024-10-30', QUARTER)")).toBe('2024-10-01');
    expect(await value("DATETIME_TRUNC(DATETIME '2024-10-30 13:45:10', HOUR)")).toBe(
      '2024-10-30 13:00:00',
    );
    expect(await value("DATETIME_TRUNC(DATETIME '2024-10-30 13:45:10', WEEK)")).toBe(
      '2024-10-27 00:00:00',
    );
    expect(unsupported("SELECT DATE_TRUNC(DATE '2024-10-30', HOUR)").construct).toBe(
      'date part in DATE_TRUNC',
    );
  });

  it('DATETIME(ts, tz), DATE(ts, tz), TIMESTAMP(datetime, tz) across DST', async () => {
    expect(await value(`DATETIME(${ts}, 'Europe/Paris')`)).toBe('2024-10-27 02:30:00');
    expect(await value(`DATETIME(TIMESTAMP '2024-10-27 01:30:00+00', 'Europe/Paris')`)).toBe(
      '2024-10-27 02:30:00',
    );
    expect(await value(`DATE(TIMESTAMP '2024-10-26 22:30:00+00', 'Europe/Paris')`)).toBe(
      '2024-10-27',
    );
    expect(await value(`DATE(TIMESTAMP '2024-10-26 22:30:00+00')`)).toBe('2024-10-26');
    expect(await value(`TIMESTAMP(DATETIME '2024-07-01 12:00:00', 'Europe/Paris')`)).toBe(
      '2024-07-01 10:00:00+00',
    );
    expect(await value(`TIMESTAMP('2024-01-01 12:00:00', 'Europe/Paris')`)).toBe(
      '2024-01-01 11:00:00+00',
    );
    expect(await value(`DATETIME(DATE '2024-01-01', TIME '10:11:12')`)).toBe('2024-01-01 10:11:12');
    expect(await value(`DATE(2024, 2, 29)`)).toBe('2024-02-29');
  });

  it('EXTRACT with DAYOFWEEK (1 = Sunday), WEEK (Sunday start), AT TIME ZONE', async () => {
    const sunday = "DATE '2024-01-07'";
    expect(await value(`EXTRACT(DAYOFWEEK FROM ${sunday})`)).toBe(1);
    expect(await value(`EXTRACT(DAYOFWEEK FROM DATE '2024-01-06')`)).toBe(7);
    // 2024-01-01 is a Monday: the days before the first Sunday are week 0.
    expect(await value(`EXTRACT(WEEK FROM DATE '2024-01-06')`)).toBe(0);
    expect(await value(`EXTRACT(WEEK FROM ${sunday})`)).toBe(1);
    expect(await value(`EXTRACT(WEEK(MONDAY) FROM DATE '2024-01-01')`)).toBe(1);
    expect(await value(`EXTRACT(ISOWEEK FROM DATE '2024-12-30')`)).toBe(1);
    expect(await value(`EXTRACT(HOUR FROM ${ts})`)).toBe(0);
    expect(await value(`EXTRACT(HOUR FROM ${ts} AT TIME ZONE 'Europe/Paris')`)).toBe(2);
    expect(
      await value(
        `EXTRACT(DATE FROM TIMESTAMP '2024-10-26 22:30:00+00' AT TIME ZONE 'Europe/Paris')`,
      ),
    ).toBe('2024-10-27');
    expect(await value(`EXTRACT(MILLISECOND FROM TIMESTAMP '2024-01-01 00:00:05.123456+00')`)).toBe(
      123,
    );
    expect(await value(`EXTRACT(DAYOFYEAR FROM DATE '2024-02-01')`)).toBe(32);
    expect(await value(`EXTRACT(QUARTER FROM DATE '2024-05-01')`)).toBe(2);
  });

  it('UNIX_SECONDS / UNIX_MILLIS / UNIX_MICROS round toward the past', async () => {
    expect(await value("UNIX_SECONDS(TIMESTAMP '2024-01-01 00:00:01.9+00')")).toBe(1704067201);
    expect(await value("UNIX_SECONDS(TIMESTAMP '1969-12-31 23:59:59.5+00')")).toBe(-1);
    expect(await value("UNIX_MILLIS(TIMESTAMP '2024-01-01 00:00:01.9+00')")).toBe(1704067201900);
    expect(await value("UNIX_MICROS(TIMESTAMP '1970-01-01 00:00:00.000001+00')")).toBe(1);
  });

  it('TIMESTAMP_SECONDS / MILLIS / MICROS', async () => {
    expect(await value('TIMESTAMP_SECONDS(1704067200)')).toBe('2024-01-01 00:00:00+00');
    expect(await value('TIMESTAMP_MILLIS(1704067200123)')).toBe('2024-01-01 00:00:00.123+00');
    expect(await value('TIMESTAMP_MICROS(1)')).toBe('1970-01-01 00:00:00.000001+00');
    // 1000 * 86400 * 30 overflows a 32-bit integer: BigQuery's literals are INT64.
    expect(await value('TIMESTAMP_MILLIS(1000 * 86400 * 30)')).toBe('1970-01-31 00:00:00+00');
  });

  it('TIMESTAMP_ADD / SUB / DIFF', async () => {
    expect(await value(`TIMESTAMP_ADD(${ts}, INTERVAL 90 MINUTE)`)).toBe('2024-10-27 02:00:00+00');
    expect(await value(`TIMESTAMP_SUB(${ts}, INTERVAL 1 DAY)`)).toBe('2024-10-26 00:30:00+00');
    expect(
      await value(
        `TIMESTAMP_DIFF(TIMESTAMP '2024-01-01 02:00:00+00', TIMESTAMP '2024-01-01 00:00:01+00', HOUR)`,
      ),
    ).toBe(1);
    expect(
      await value(
        `TIMESTAMP_DIFF(TIMESTAMP '2024-01-01 00:00:00+00', TIMESTAMP '2024-01-01 01:30:00+00', HOUR)`,
      ),
    ).toBe(-1);
    expect(
      await value(
        `TIMESTAMP_DIFF(TIMESTAMP '2024-01-02 00:00:00+00', TIMESTAMP '2024-01-01 00:00:01+00', DAY)`,
      ),
    ).toBe(0);
    expect(await value(`${ts} + INTERVAL 2 HOUR`)).toBe('2024-10-27 02:30:00+00');
    expect(
      await value(`TIMESTAMP_ADD(${ts}, INTERVAL @n SECOND)`, {
        named: { n: { type: 'INT64', value: '30' } },
      }),
    ).toBe('2024-10-27 00:30:30+00');
  });

  it('DATETIME_ADD / SUB / DIFF and DATE_ADD / SUB / DIFF count calendar boundaries', async () => {
    expect(await value("DATETIME_ADD(DATETIME '2024-01-31 10:00:00', INTERVAL 1 MONTH)")).toBe(
      '2024-02-29 10:00:00',
    );
    expect(await value("DATETIME_SUB(DATETIME '2024-01-31 10:00:00', INTERVAL 2 HOUR)")).toBe(
      '2024-01-31 08:00:00',
    );
    expect(
      await value(
        "DATETIME_DIFF(DATETIME '2010-07-07 10:20:00', DATETIME '2008-12-25 15:30:00', DAY)",
      ),
    ).toBe(559);
    expect(
      await value(
        "DATETIME_DIFF(DATETIME '2010-07-07 10:20:00', DATETIME '2008-12-25 15:30:00', HOUR)",
      ),
    ).toBe(13410);
    expect(await value("DATE_ADD(DATE '2024-01-31', INTERVAL 1 MONTH)")).toBe('2024-02-29');
    expect(await value("DATE_SUB(DATE '2024-03-01', INTERVAL 1 DAY)")).toBe('2024-02-29');
    expect(await value("DATE_ADD(DATE '2024-01-01', INTERVAL 1 QUARTER)")).toBe('2024-04-01');
    expect(await value("DATE_DIFF(DATE '2024-01-01', DATE '2023-12-31', YEAR)")).toBe(1);
    expect(await value("DATE_DIFF(DATE '2024-02-01', DATE '2024-01-31', MONTH)")).toBe(1);
    // Saturday 6 Jan → Sunday 7 Jan crosses a Sunday week boundary, not a Monday one.
    expect(await value("DATE_DIFF(DATE '2024-01-07', DATE '2024-01-06', WEEK)")).toBe(1);
    expect(await value("DATE_DIFF(DATE '2024-01-07', DATE '2024-01-06', ISOWEEK)")).toBe(0);
    expect(await value("DATE_DIFF(DATE '2024-01-08', DATE '2024-01-07', ISOWEEK)")).toBe(1);
  });

  it('CURRENT_TIMESTAMP() and CURRENT_DATE() are now', async () => {
    const row = await one(
      'SELECT CURRENT_TIMESTAMP() AS ts, CURRENT_DATE() AS d, CURRENT_TIMESTAMP AS bare',
    );
    const now = Date.now();
    expect(
      Math.abs(Date.parse(String(row.ts).replace(' ', 'T').replace('+00', 'Z')) - now),
    ).toBeLessThan(60_000);
    expect(row.d).toBe(new Date().toISOString().slice(0, 10));
    expect(row.bare).toBe(row.ts);
  });

  it('FORMAT_TIMESTAMP maps format elements, with time zone offsets', async () => {
    const t = "TIMESTAMP '2024-07-01 08:05:09.123456+00'";
    expect(await value(`FORMAT_TIMESTAMP('%Y-%m-%d %H:%M:%S', ${t})`)).toBe('2024-07-01 08:05:09');
    expect(await value(`FORMAT_TIMESTAMP('%F %T%Ez', ${t}, 'Europe/Paris')`)).toBe(
      '2024-07-01 10:05:09+02:00',
    );
    expect(await value(`FORMAT_TIMESTAMP('%H%z', ${t}, 'America/New_York')`)).toBe('04-0400');
    expect(await value(`FORMAT_TIMESTAMP('%F %T %Z', ${t})`)).toBe('2024-07-01 08:05:09 UTC');
    expect(await value(`FORMAT_TIMESTAMP('%E6S|%E3S|%e|%j|%A|%b', ${t})`)).toBe(
      '09.123456|09.123| 1|183|Monday|Jul',
    );
    expect(await value(`FORMAT_DATE('%d/%m/%Y', DATE '2024-02-29')`)).toBe('29/02/2024');
    expect(await value(`FORMAT_DATETIME('%Y%m%d-%H', DATETIME '2024-02-29 07:00:00')`)).toBe(
      '20240229-07',
    );
    expect(unsupported(`SELECT FORMAT_TIMESTAMP('%Y %J', ${t})`).construct).toBe(
      'format element %J',
    );
  });

  it('TIME functions and CURRENT_DATETIME', async () => {
    expect(await value("TIME_TRUNC(TIME '10:11:12', HOUR)")).toBe('10:00:00');
    expect(await value("TIME_ADD(TIME '23:30:00', INTERVAL 45 MINUTE)")).toBe('00:15:00');
    expect(await value('TIME(1, 2, 3)')).toBe('01:02:03');
    expect(await value("TIME(TIMESTAMP '2024-07-01 08:00:00+00', 'Europe/Paris')")).toBe(
      '10:00:00',
    );
    expect(await value("UNIX_DATE(DATE '1970-01-11')")).toBe(10);
    expect(await value('DATE_FROM_UNIX_DATE(10)')).toBe('1970-01-11');
    expect(await value("LAST_DAY(DATE '2024-02-10')")).toBe('2024-02-29');
    expect(String(await value("CURRENT_DATETIME('Europe/Paris')"))).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/,
    );
  });

  it('PARSE_TIMESTAMP and PARSE_DATE', async () => {
    expect(await value("PARSE_DATE('%d/%m/%Y', '29/02/2024')")).toBe('2024-02-29');
    expect(
      await value("PARSE_TIMESTAMP('%Y-%m-%d %H:%M', '2024-07-01 10:00', 'Europe/Paris')"),
    ).toBe('2024-07-01 08:00:00+00');
  });

  it('GENERATE_DATE_ARRAY and GENERATE_TIMESTAMP_ARRAY', async () => {
    expect(await value("GENERATE_DATE_ARRAY(DATE '2024-02-27', DATE '2024-03-01')")).toEqual([
      '2024-02-27',
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
    expect(
      await value("GENERATE_DATE_ARRAY('2024-01-31', '2024-04-30', INTERVAL 1 MONTH)"),
    ).toEqual(['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30']);
    expect(
      await value(
        "GENERATE_TIMESTAMP_ARRAY('2024-01-01 00:00:00', '2024-01-01 01:00:00', INTERVAL 30 MINUTE)",
      ),
    ).toEqual(['2024-01-01 00:00:00+00', '2024-01-01 00:30:00+00', '2024-01-01 01:00:00+00']);
  });
});

describe('conditionals, nulls and arithmetic', () => {
  it('SAFE_DIVIDE, IF, IFNULL, COUNTIF', async () => {
    expect(await value('SAFE_DIVIDE(1, 0)')).toBeNull();
    expect(await value('SAFE_DIVIDE(7, 2)')).toBe(3.5);
    expect(await value("IF(1 > 2, 'y', 'n')")).toBe('n');
    expect(await value("IFNULL(NULL, 'z')")).toBe('z');
    expect(await one('SELECT COUNTIF(score > 1) AS c, COUNTIF(score IS NULL) AS n FROM t')).toEqual(
      { c: 2, n: 1 },
    );
  });

  it('integer division returns FLOAT64; DIV truncates toward zero; MOD keeps the sign of x', async () => {
    expect(await value('7 / 2')).toBe(3.5);
    expect(await value('DIV(-7, 2)')).toBe(-3);
    expect(await value('MOD(-7, 2)')).toBe(-1);
    await expect(h.query('SELECT DIV(1, 0) AS v')).rejects.toThrow(/division by zero/);
  });

  it('GREATEST / LEAST return NULL if any argument is NULL', async () => {
    expect(await value('GREATEST(1, 5, 3)')).toBe(5);
    expect(await value('GREATEST(1, NULL, 3)')).toBeNull();
    expect(await value('LEAST(4, 2)')).toBe(2);
    expect(await value('LEAST(4, NULL)')).toBeNull();
  });

  it('literal arithmetic does not overflow at 32 bits', async () => {
    expect(await value('2147483647 + 1')).toBe(2147483648);
    expect(await value('1.5 * 2')).toBe(3);
  });
});

describe('casts', () => {
  it('CAST with BigQuery type names', async () => {
    const row = await one(`SELECT
      CAST('12' AS INT64) AS i, CAST(2.5 AS INT64) AS half, CAST(-2.5 AS INT64) AS neg_half,
      CAST('1.25' AS FLOAT64) AS f, CAST(12 AS STRING) AS s, CAST(1.0 AS STRING) AS fs,
      CAST('true' AS BOOL) AS b, CAST('1.5' AS NUMERIC) AS n, CAST('2.5' AS BIGNUMERIC) AS bn,
      CAST('2024-01-01 10:00:00' AS TIMESTAMP) AS ts, CAST('2024-01-01' AS DATE) AS d,
      CAST('2024-01-01 10:00:00' AS DATETIME) AS dt, CAST('10:11:12' AS TIME) AS tm,
      CAST(CAST('ab' AS BYTES) AS STRING) AS by, CAST(TIMESTAMP '2024-01-01 10:00:00+00' AS STRING) AS tss`);
    expect(row).toEqual({
      i: 12,
      half: 3,
      neg_half: -3,
      f: 1.25,
      s: '12',
      fs: '1',
      b: true,
      n: 1.5,
      // BIGNUMERIC is exact text, as a BIGNUMERIC column holds it (types/bigquery-types.ts).
      bn: '2.5',
      ts: '2024-01-01 10:00:00+00',
      d: '2024-01-01',
      dt: '2024-01-01 10:00:00',
      tm: '10:11:12',
      by: 'ab',
      tss: '2024-01-01 10:00:00+00',
    });
    expect(await value(`JSON_VALUE(CAST(PARSE_JSON('{"a": 1}') AS JSON), '$.a')`)).toBe('1');
  });

  it('BIGNUMERIC, by CAST, literal or parameter, is the exact canonical text its column holds', async () => {
    const digits = '1234567890123456789012345678901234567.12345678901234567890123456789012345678';
    const row = await one(
      `SELECT CAST('1.50' AS BIGNUMERIC) AS lit, CAST(2 AS BIGNUMERIC) AS int_lit,
        BIGNUMERIC '+01.250e1' AS typed, CAST('${digits}' AS BIGNUMERIC) AS wide,
        CAST(n AS BIGNUMERIC) AS from_numeric, CAST(f AS BIGNUMERIC) AS from_float,
        CAST(i AS BIGNUMERIC) AS from_int, CAST(s AS BIGNUMERIC) AS from_string,
        SAFE_CAST('abc' AS BIGNUMERIC) AS bad_lit, SAFE_CAST(s || 'x' AS BIGNUMERIC) AS bad_string,
        @p AS param
      FROM (SELECT CAST('1.5' AS NUMERIC) AS n, 0.25 AS f, 7 AS i, '-3.75' AS s)`,
      { named: { p: { type: 'BIGNUMERIC', value: '0.500' } } },
    );
    expect(row).toEqual({
      lit: '1.5',
      int_lit: '2',
      typed: '12.5',
      wide: digits,
      from_numeric: '1.5',
      from_float: '0.25',
      from_int: '7',
      from_string: '-3.75',
      bad_lit: null,
      bad_string: null,
      param: '0.5',
    });
    await expect(h.query("SELECT CAST(s AS BIGNUMERIC) FROM (SELECT 'x' AS s)")).rejects.toThrow(
      /Invalid BIGNUMERIC value: x/,
    );
    expect(unsupported("SELECT BIGNUMERIC 'abc'").message).toMatch(/Invalid BIGNUMERIC literal/);
  });

  it('CAST of a non-integer string to INT64 fails; SAFE_CAST gives NULL', async () => {
    await expect(h.query("SELECT CAST(x AS INT64) AS v FROM (SELECT '1.5' AS x)")).rejects.toThrow(
      /Bad int64 value/,
    );
    expect(
      await one(
        "SELECT SAFE_CAST(x AS INT64) AS v, SAFE_CAST('abc' AS DATE) AS d FROM (SELECT '1.5' AS x)",
      ),
    ).toEqual({
      v: null,
      d: null,
    });
  });
});

describe('strings', () => {
  it('CONCAT is NULL if any argument is NULL; || too', async () => {
    expect(await value("CONCAT('a', 'b', 'c')")).toBe('abc');
    expect(await value("CONCAT('a', NULL)")).toBeNull();
    expect(await value("'a' || 'b'")).toBe('ab');
  });

  it('LENGTH, LOWER, UPPER, TRIM, SUBSTR, STARTS_WITH, SPLIT', async () => {
    const row =
      await one(`SELECT LENGTH('héllo') AS len, LOWER('AbC') AS lo, UPPER('é') AS up, TRIM('  x ') AS tr,
      SUBSTR('hello', 2, 3) AS s1, SUBSTR('hello', 0, 2) AS s0, SUBSTR('hello', -3) AS sneg,
      SUBSTR('hello', -10, 2) AS sfar, STARTS_WITH('hello', 'he') AS sw, SPLIT('a,b,,c') AS sp, SPLIT('a b', ' ') AS sp2`);
    expect(row).toEqual({
      len: 5,
      lo: 'abc',
      up: 'É',
      tr: 'x',
      s1: 'ell',
      s0: 'he',
      sneg: 'llo',
      sfar: 'he',
      sw: true,
      sp: ['a', 'b', '', 'c'],
      sp2: ['a', 'b'],
    });
  });

  it('REGEXP_CONTAINS and REGEXP_EXTRACT (NULL when there is no match)', async () => {
    expect(await value("REGEXP_CONTAINS('station-42', r'\\d+')")).toBe(true);
    expect(await value("REGEXP_EXTRACT('station-42', r'-(\\d+)')")).toBe('42');
    expect(await value("REGEXP_EXTRACT('station-42', r'\\d+')")).toBe('42');
    expect(await value("REGEXP_EXTRACT('station', r'\\d+')")).toBeNull();
    expect(await value("REGEXP_REPLACE('a1b2', r'\\d', '#')")).toBe('a#b#');
  });

  it('LIKE with a backslash escape, as BigQuery reads it', async () => {
    expect(await value("'a_b' LIKE r'a\\_b'")).toBe(true);
    expect(await value("'axb' LIKE r'a\\_b'")).toBe(false);
    expect(await value("'axb' LIKE 'a_b'")).toBe(true);
  });

  it('string literals: escapes, raw, triple-quoted; bytes literals', async () => {
    expect(await value("'it\\'s\\n'")).toBe("it's\n");
    expect(await value("r'\\d'")).toBe('\\d');
    expect(await value(`"""a "quoted" 'x'"""`)).toBe(`a "quoted" 'x'`);
    expect(await value("TO_HEX(b'\\x00\\xffA')")).toBe('00ff41');
  });
});

describe('JSON', () => {
  it('JSON_VALUE returns scalars as STRING and NULL for objects; JSON_QUERY returns JSON', async () => {
    const doc = `'{"a": {"b": "x", "n": 2}, "arr": [1, 2]}'`;
    expect(await value(`JSON_VALUE(${doc}, '$.a.b')`)).toBe('x');
    expect(await value(`JSON_VALUE(${doc}, '$.a.n')`)).toBe('2');
    expect(await value(`JSON_VALUE(${doc}, '$.a')`)).toBeNull();
    expect(await value(`JSON_VALUE(${doc}, '$.missing')`)).toBeNull();
    expect(await value(`JSON_QUERY(${doc}, '$.a')`)).toBe('{"b":"x","n":2}');
    expect(await value(`JSON_VALUE(JSON '{"a": [10, 20]}', '$.a[1]')`)).toBe('20');
  });
});

describe('aggregates', () => {
  it('ARRAY_AGG with ORDER BY, LIMIT, IGNORE NULLS and DISTINCT', async () => {
    const row = await one(`SELECT
      ARRAY_AGG(score ORDER BY id) AS all_scores,
      ARRAY_AGG(score IGNORE NULLS ORDER BY score DESC LIMIT 2) AS top2,
      ARRAY_AGG(DISTINCT grp ORDER BY grp) AS grps
      FROM t`);
    expect(row).toEqual({ all_scores: [1.5, null, 3, 0.5], top2: [3, 1.5], grps: ['x', 'y'] });
  });

  it('STRING_AGG with separator, ORDER BY and LIMIT; NULLs skipped', async () => {
    expect(
      await one(
        "SELECT STRING_AGG(name, '|' ORDER BY id DESC) AS s, STRING_AGG(name) AS d, STRING_AGG(name, '' ORDER BY id LIMIT 2) AS l FROM t",
      ),
    ).toEqual({
      s: 'd|b|a',
      d: 'a,b,d',
      l: 'ab',
    });
  });

  it('APPROX_COUNT_DISTINCT, LOGICAL_AND/OR, ANY_VALUE', async () => {
    expect(
      await one(`SELECT APPROX_COUNT_DISTINCT(grp) AS n, LOGICAL_AND(id > 0) AS all_pos, LOGICAL_OR(id > 3) AS some_big,
      ANY_VALUE(grp) IN ('x', 'y') AS any_ok FROM t`),
    ).toEqual({ n: 2, all_pos: true, some_big: true, any_ok: true });
  });
});

describe('structs and arrays', () => {
  it('STRUCT(...) and STRUCT<...>(...), field access', async () => {
    expect(await value("STRUCT(1 AS a, 'x' AS b)")).toEqual({ a: 1, b: 'x' });
    expect(await value("STRUCT<a INT64, b STRING>(1, 'x')")).toEqual({ a: 1, b: 'x' });
    expect(await one("SELECT s.b FROM (SELECT STRUCT(1 AS a, 'x' AS b) AS s)")).toEqual({ b: 'x' });
  });

  it('UNNEST in FROM, WITH OFFSET, correlated with a table, and array subscripts', async () => {
    expect(
      await h.query('SELECT x, off FROM UNNEST([10, 20, 30]) AS x WITH OFFSET AS off ORDER BY off'),
    ).toEqual([
      { x: 10, off: 0 },
      { x: 20, off: 1 },
      { x: 30, off: 2 },
    ]);
    expect(
      await h.query('SELECT t.id, tag FROM t, UNNEST(t.tags) AS tag ORDER BY id, tag'),
    ).toEqual([
      { id: 1, tag: 'p' },
      { id: 1, tag: 'q' },
      { id: 4, tag: 'r' },
    ]);
    expect(
      await h.query('SELECT id, tag FROM t CROSS JOIN t.tags AS tag WHERE id = 1 ORDER BY tag'),
    ).toEqual([
      { id: 1, tag: 'p' },
      { id: 1, tag: 'q' },
    ]);
    expect(
      await one(
        'SELECT [1, 2, 3][OFFSET(0)] AS o, [1, 2, 3][ORDINAL(3)] AS n, [1, 2][SAFE_OFFSET(5)] AS s',
      ),
    ).toEqual({
      o: 1,
      n: 3,
      s: null,
    });
  });

  it('LEFT JOIN UNNEST keeps rows whose array is empty or NULL', async () => {
    expect(
      await h.query('SELECT id, tag FROM t LEFT JOIN UNNEST(t.tags) AS tag ORDER BY id, tag'),
    ).toEqual([
      { id: 1, tag: 'p' },
      { id: 1, tag: 'q' },
      { id: 2, tag: null },
      { id: 3, tag: null },
      { id: 4, tag: 'r' },
    ]);
  });

  it('WITH OFFSET without alias is a column named offset (a DuckDB keyword, quoted)', async () => {
    expect(
      await h.query(
        "SELECT offset, v FROM UNNEST(['a', 'b']) AS v WITH OFFSET ORDER BY offset LIMIT 1 OFFSET 1",
      ),
    ).toEqual([{ offset: 1, v: 'b' }]);
  });

  it("JSON subscript j['key']", async () => {
    expect(await value(`JSON_VALUE(PARSE_JSON('{"a": {"b": 5}}')['a'], '$.b')`)).toBe('5');
  });

  it('GENERATE_ARRAY, ARRAY_LENGTH, ARRAY_TO_STRING, ARRAY<T>[]', async () => {
    expect(await value('GENERATE_ARRAY(1, 10, 3)')).toEqual([1, 4, 7, 10]);
    expect(await value('ARRAY_LENGTH(GENERATE_ARRAY(5, 1))')).toBe(0);
    expect(await value("ARRAY_TO_STRING(['a', NULL, 'b'], '-', '?')")).toBe('a-?-b');
    expect(await value('ARRAY<INT64>[1, 2]')).toEqual([1, 2]);
  });

  it('x IN UNNEST(@array)', async () => {
    const params = { named: { ids: { type: 'ARRAY<INT64>', value: ['1', '3'] } } };
    expect(
      (await h.query('SELECT id FROM t WHERE id IN UNNEST(@ids) ORDER BY id', params)).map(
        (r) => r.id,
      ),
    ).toEqual([1, 3]);
  });
});

describe('query parameters (inlined as typed literals)', () => {
  it('named parameters of every scalar type, case-insensitive names', async () => {
    const row = await one(
      'SELECT @i + 1 AS i, @F AS f, @s AS s, @b AS b, @ts AS ts, @d AS d, @n AS n, @bytes AS by, @nul AS nul, @st.x AS sx',
      {
        named: {
          i: { type: 'INT64', value: '9007199254740993' },
          f: { type: 'FLOAT64', value: 1.5 },
          s: { type: 'STRING', value: "it's" },
          b: { type: 'BOOL', value: true },
          ts: { type: 'TIMESTAMP', value: '2024-01-01T10:00:00.000Z' },
          d: { type: 'DATE', value: '2024-02-29' },
          n: { type: 'NUMERIC', value: '12.5' },
          bytes: { type: 'BYTES', value: Buffer.from('hi').toString('base64') },
          nul: { type: 'STRING', value: null },
          st: { type: 'STRUCT<x INT64, y STRING>', value: { x: '5', y: 'z' } },
        },
      },
    );
    expect(row).toEqual({
      i: 9007199254740994,
      f: 1.5,
      s: "it's",
      b: true,
      ts: '2024-01-01 10:00:00+00',
      d: '2024-02-29',
      n: 12.5,
      by: 'hi',
      nul: null,
      sx: 5,
    });
  });

  it('positional parameters in order', async () => {
    const rows = await h.query('SELECT id FROM t WHERE id > ? AND grp = ? ORDER BY id', {
      positional: [
        { type: 'INT64', value: 1 },
        { type: 'STRING', value: 'y' },
      ],
    });
    expect(rows).toEqual([{ id: 3 }, { id: 4 }]);
  });

  it('a missing or malformed parameter is an error naming it and its position', () => {
    const missing = unsupported('SELECT 1 AS a,\n  @nope AS b');
    expect(missing.message).toMatch(/Query parameter 'nope' not found at \[2:3\]/);
    expect(missing.position).toEqual({ line: 2, column: 3 });
    const bad = unsupported('SELECT @i', { named: { i: { type: 'INT64', value: 'abc' } } });
    expect(bad.message).toMatch(/Invalid value for query parameter @i/);
    expect(
      unsupported('SELECT ?, ?', { positional: [{ type: 'INT64', value: 1 }] }).message,
    ).toMatch(/positional parameter 2/);
  });
});

describe('statements', () => {
  it('CREATE [OR REPLACE] VIEW, usable from another dataset, view over a view', async () => {
    const r = h.translate(
      'CREATE OR REPLACE VIEW `proj.ds2.v1` AS SELECT id, name FROM ds.t WHERE id < 3',
    );
    expect(r.statementType).toBe('CREATE_VIEW');
    expect(r.target).toEqual({ projectId: 'proj', datasetId: 'ds2', tableId: 'v1' });
    await h.query('CREATE OR REPLACE VIEW `proj.ds2.v1` AS SELECT id, name FROM ds.t WHERE id < 3');
    await h.query('CREATE VIEW ds.v2 AS SELECT id * 10 AS id10 FROM ds2.v1');
    expect(await h.query('SELECT id10 FROM ds.v2 ORDER BY 1')).toEqual([
      { id10: 10 },
      { id10: 20 },
    ]);
  });

  it('CREATE TABLE with BigQuery types, INSERT, UPDATE, DELETE, DROP TABLE', async () => {
    const create = h.translate(
      'CREATE TABLE ds.tmp (k INT64 NOT NULL, v STRING, at TIMESTAMP, tags ARRAY<STRING>, s STRUCT<a INT64>) PARTITION BY DATE(at) CLUSTER BY k OPTIONS (description = "x")',
    );
    expect(create.statementType).toBe('CREATE_TABLE');
    expect(create.sql).toBe(
      'CREATE TABLE "proj__ds"."tmp" ("k" BIGINT NOT NULL, "v" VARCHAR, "at" TIMESTAMPTZ, "tags" VARCHAR[], "s" STRUCT("a" BIGINT))',
    );
    await h.query('CREATE TABLE ds.tmp (k INT64 NOT NULL, v STRING)');
    expect(h.translate("INSERT ds.tmp (k, v) VALUES (1, 'a'), (2, 'b')").statementType).toBe(
      'INSERT',
    );
    await h.query("INSERT ds.tmp (k, v) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    await h.query('INSERT INTO ds.tmp SELECT id + 10, name FROM ds.t WHERE id = 1');
    expect(h.translate("UPDATE ds.tmp SET v = 'B' WHERE k = 2").statementType).toBe('UPDATE');
    await h.query('UPDATE ds.tmp AS x SET v = UPPER(x.v) WHERE x.k = 2');
    await h.query('DELETE ds.tmp WHERE k = 3');
    expect(await h.query('SELECT k, v FROM ds.tmp ORDER BY k')).toEqual([
      { k: 1, v: 'a' },
      { k: 2, v: 'B' },
      { k: 11, v: 'a' },
    ]);
    expect(unsupported('DELETE FROM ds.tmp').construct).toBe('DELETE without WHERE');
    const drop = h.translate('DROP TABLE IF EXISTS ds.tmp');
    expect(drop.statementType).toBe('DROP_TABLE');
    await h.query('DROP TABLE IF EXISTS ds.tmp');
  });

  it('MERGE', async () => {
    await h.query('CREATE TABLE ds.m (k INT64, v STRING)');
    await h.query("INSERT ds.m (k, v) VALUES (1, 'old')");
    const r =
      h.translate(`MERGE ds.m AS tgt USING (SELECT 1 AS k, 'new' AS v UNION ALL SELECT 2, 'two') AS src ON tgt.k = src.k
      WHEN MATCHED THEN UPDATE SET v = src.v
      WHEN NOT MATCHED THEN INSERT (k, v) VALUES (src.k, src.v)`);
    expect(r.statementType).toBe('MERGE');
    await h.duck(r.sql);
    expect(await h.query('SELECT k, v FROM ds.m ORDER BY k')).toEqual([
      { k: 1, v: 'new' },
      { k: 2, v: 'two' },
    ]);
  });

  it('several statements make a SCRIPT', () => {
    const r = h.translate('SELECT 1; SELECT 2;');
    expect(r.statementType).toBe('SCRIPT');
  });
});

describe('refusals name the construct and its position', () => {
  it('unknown functions', () => {
    const err = unsupported('SELECT\n  id,\n  FARM_FINGERPRINT(name) FROM t');
    expect(err.construct).toBe('function FARM_FINGERPRINT');
    expect(err.position).toEqual({ line: 3, column: 3 });
    expect(err.message).toMatch(/at \[3:3\]$/);
  });

  it('other unsupported constructs', () => {
    expect(unsupported('SELECT SAFE.SUBSTR(name, 1) FROM t').construct).toBe(
      'SAFE. function prefix',
    );
    expect(unsupported('SELECT * FROM t FOR SYSTEM_TIME AS OF CURRENT_TIMESTAMP()').construct).toBe(
      'FOR SYSTEM_TIME AS OF',
    );
    expect(unsupported('SELECT * FROM `proj.ds.t_*`').construct).toMatch(/^wildcard table/);
    expect(unsupported('DECLARE x INT64').construct).toBe('DECLARE statement');
    expect(unsupported('SELECT @@project_id').construct).toBe('system variable @@project_id');
    expect(unsupported('SELECT 1 ^ 2').construct).toBe('operator ^');
    expect(unsupported("SELECT x FROM t PIVOT(SUM(id) FOR grp IN ('x'))").construct).toBe('PIVOT');
    expect(unsupported('SELECT mydataset.myudf(1)').construct).toBe('function mydataset.myudf');
  });

  it('syntax errors', () => {
    expect(unsupported("SELECT 'abc").message).toMatch(/unclosed string literal at \[1:8\]/);
    expect(unsupported('SELECT (1').message).toMatch(/unclosed "\(" at \[1:8\]/);
    expect(unsupported('SELECT 1)').message).toMatch(/unexpected "\)"/);
    expect(unsupported('').construct).toBe('empty query');
  });

  it('a bare table without a default dataset', () => {
    const resolver = { resolve: () => '"x"."y"' };
    expect(() => translate('SELECT * FROM t', { defaultProjectId: 'p', resolver })).toThrow(
      /Table "t" must be qualified with a dataset \(e.g. dataset.table\) at \[1:15\]/,
    );
  });
});
