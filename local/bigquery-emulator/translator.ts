/**
 * The SQL translator's contract (implemented in `./sql/index.ts` by the translator's owner). The
 * emulator calls it through this interface, so tests can run before the translator exists and the
 * module is loaded once, lazily.
 */
export interface TableRef {
  projectId?: string;
  datasetId?: string;
  tableId: string;
}

export interface TableResolver {
  /** Returns the DuckDB qualified identifier of a table or view; throws if it is unknown. */
  resolve(ref: TableRef, position: number): string;
}

export interface QueryParam {
  /** BigQuery type, e.g. INT64, STRING, TIMESTAMP, ARRAY<INT64>, STRUCT<a INT64, b STRING>. */
  type: string;
  value: unknown;
}

export interface TranslateOptions {
  defaultProjectId: string;
  defaultDatasetId?: string;
  resolver: TableResolver;
  params?: { named?: Record<string, QueryParam>; positional?: QueryParam[] };
}

export type StatementType =
  | 'SELECT'
  | 'CREATE_VIEW'
  | 'INSERT'
  | 'DELETE'
  | 'UPDATE'
  | 'MERGE'
  | 'CREATE_TABLE'
  | 'DROP_TABLE'
  | 'SCRIPT';

export interface Translation {
  sql: string;
  statementType: StatementType;
}

export interface Translator {
  translate(sql: string, options: TranslateOptions): Translation;
  /** Recognises the translator's "construct not supported" error (→ `invalidQuery`). */
  isUnsupported(error: unknown): error is Error & {
    construct: string;
    position: { line: number; column: number };
  };
}

/** Loads `./sql/index.js`; undefined while the translator has not landed. */
export async function loadTranslator(): Promise<Translator | undefined> {
  const specifier = './sql/index.js';
  let module: {
    translate?: Translator['translate'];
    UnsupportedSqlError?: new (...args: never[]) => Error;
  };
  try {
    module = (await import(specifier)) as typeof module;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
  const { translate, UnsupportedSqlError } = module;
  if (typeof translate !== 'function') return undefined;
  return {
    translate,
    isUnsupported: (
      error,
    ): error is Error & {
      construct: string;
      position: { line: number; column: number };
    } => UnsupportedSqlError !== undefined && error instanceof UnsupportedSqlError,
  };
}
