// Every mart of this repository (`sql/*.sql`) translates and runs on DuckDB over the warehouse
// tables as `core/warehouse` defines them: a mart using something the translator refuses, or that
// DuckDB cannot bind after translation, fails here rather than in the local stack.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FieldSchema, TABLES } from '../../../core/warehouse/index.js';
import { type Harness, createHarness } from '../testing/duckdb-harness.js';
import { duckDbType, parseTypeText } from './index.js';

const MARTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../sql');
const marts = readdirSync(MARTS_DIR)
  .filter((f) => f.endsWith('.sql'))
  .sort()
  .map((f) => ({ id: f.slice(0, -4), query: readFileSync(path.join(MARTS_DIR, f), 'utf8') }));

function columnType(field: FieldSchema): string {
  const base =
    field.type === 'RECORD'
      ? `STRUCT(${(field.fields ?? []).map((f) => `"${f.name}" ${columnType(f)}`).join(', ')})`
      : duckDbType(parseTypeText(field.type));
  return field.mode === 'REPEATED' ? `${base}[]` : base;
}

let h: Harness;
const created = new Set<string>();

beforeAll(async () => {
  h = await createHarness();
  for (const table of TABLES) {
    const cols = table.fields.map((f) => `"${f.name}" ${columnType(f)}`).join(', ');
    await h.table(table.tableId, cols, undefined, table.datasetId);
  }
  // Create the views in dependency order by retrying the ones whose inputs do not exist yet.
  let pending = [...marts];
  while (pending.length > 0) {
    const failed: typeof pending = [];
    for (const mart of pending) {
      try {
        await h.query(`CREATE OR REPLACE VIEW pmp_marts.${mart.id} AS\n${mart.query}`);
        created.add(mart.id);
      } catch (err) {
        if (!/Not found: Table/.test(String(err))) throw new Error(`${mart.id}: ${String(err)}`);
        failed.push(mart);
      }
    }
    if (failed.length === pending.length) break;
    pending = failed;
  }
});

afterAll(() => h.close());

describe('project marts (sql/*.sql)', () => {
  it('finds the marts', () => {
    expect(marts.length).toBeGreaterThan(0);
  });

  for (const mart of marts) {
    it(`${mart.id} translates, is created as a DuckDB view and can be queried`, async () => {
      expect(created.has(mart.id)).toBe(true);
      const rows = await h.query(`SELECT COUNT(*) AS n FROM pmp_marts.${mart.id}`);
      expect(rows).toHaveLength(1);
    });
  }
});
