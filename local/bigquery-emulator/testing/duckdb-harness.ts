// Test helper: a real in-memory DuckDB laid out like the emulator's (schema `<project>__<dataset>`,
// session time zone UTC), running translated BigQuery SQL and returning plain JS rows.
import { DuckDBInstance, DuckDBListType, DuckDBStructType, DuckDBTypeId } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import { type QueryParam, type TranslateResult, duckDbTableName, translate } from '../sql/index.js';
import { quoteIdent, schemaName } from '../types/duckdb-names.js';

export const PROJECT = 'proj';
export const DATASET = 'ds';

export interface Harness {
  /** Runs DuckDB SQL as is (test set-up). */
  duck(sql: string): Promise<void>;
  /** Creates `proj.ds.<name>` from DuckDB column definitions and rows given as DuckDB SQL values. */
  table(name: string, columns: string, values?: string, dataset?: string): Promise<void>;
  translate(sql: string, params?: Params): TranslateResult;
  /** Translates and runs BigQuery SQL; rows with integers as numbers, temporal values as text. */
  query(sql: string, params?: Params): Promise<Record<string, unknown>[]>;
  close(): void;
}

export interface Params {
  named?: Record<string, QueryParam>;
  positional?: QueryParam[];
}

export async function createHarness(): Promise<Harness> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn: DuckDBConnection = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  const known = new Set<string>();
  const schemas = new Set<string>();
  const resolver = {
    resolve(ref: { projectId?: string; datasetId?: string; tableId: string }) {
      const full = {
        projectId: ref.projectId ?? PROJECT,
        datasetId: ref.datasetId ?? DATASET,
        tableId: ref.tableId,
      };
      const key = `${full.projectId}.${full.datasetId}.${full.tableId}`;
      if (!known.has(key)) throw new Error(`Not found: Table ${key}`);
      return duckDbTableName(full);
    },
  };
  const ensureSchema = async (projectId: string, datasetId: string): Promise<void> => {
    const schema = schemaName(projectId, datasetId);
    if (schemas.has(schema)) return;
    await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    schemas.add(schema);
  };
  const doTranslate = (sql: string, params?: Params): TranslateResult =>
    translate(sql, { defaultProjectId: PROJECT, defaultDatasetId: DATASET, resolver, params });
  return {
    async duck(sql) {
      await conn.run(sql);
    },
    async table(name, columns, values, dataset = DATASET) {
      await ensureSchema(PROJECT, dataset);
      const id = duckDbTableName({ projectId: PROJECT, datasetId: dataset, tableId: name });
      await conn.run(`CREATE TABLE ${id} (${columns})`);
      if (values) await conn.run(`INSERT INTO ${id} VALUES ${values}`);
      known.add(`${PROJECT}.${dataset}.${name}`);
    },
    translate: doTranslate,
    async query(sql, params) {
      const { sql: duckSql, statementType, target } = doTranslate(sql, params);
      if (target) {
        await ensureSchema(target.projectId, target.datasetId);
        if (statementType === 'CREATE_VIEW' || statementType === 'CREATE_TABLE') {
          known.add(`${target.projectId}.${target.datasetId}.${target.tableId}`);
        }
      }
      const reader = await conn.runAndReadAll(duckSql);
      const types = reader.columnTypes();
      const names = reader.columnNames();
      return reader.getRowsJson().map((row) => {
        const obj: Record<string, unknown> = {};
        row.forEach((v, k) => {
          obj[names[k]!] = plain(v, types[k]!);
        });
        return obj;
      });
    },
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

const INTEGER_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
]);

function plain(v: unknown, type: DuckDBType): unknown {
  if (v === null) return null;
  if (INTEGER_TYPES.has(type.typeId)) return Number(v);
  if (type.typeId === DuckDBTypeId.DECIMAL) return Number(v);
  if (type instanceof DuckDBListType && Array.isArray(v))
    return v.map((x) => plain(x, type.valueType));
  if (type instanceof DuckDBStructType && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    type.entryNames.forEach((n, k) => {
      out[n] = plain((v as Record<string, unknown>)[n] ?? null, type.entryTypes[k]!);
    });
    return out;
  }
  return v;
}
