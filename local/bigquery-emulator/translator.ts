import { translate, UnsupportedSqlError } from './sql/index.js';
import type { TranslateOptions, TranslateResult } from './sql/index.js';

export type { QueryParam, StatementType, TableRef, TableResolver } from './sql/index.js';
export type { TranslateOptions } from './sql/index.js';
export type Translation = TranslateResult;

/**
 * The seam between the REST handlers and the SQL translator (`./sql/`): handlers only see this
 * interface, so a test can hand the emulator another translator through its options.
 */
export interface Translator {
  translate(sql: string, options: TranslateOptions): Translation;
  /** Recognises the translator's "construct not supported" error (→ `invalidQuery`). */
  isUnsupported(error: unknown): error is UnsupportedSqlError;
}

/** Our BigQuery → DuckDB translator. */
export const sqlTranslator: Translator = {
  translate,
  isUnsupported: (error): error is UnsupportedSqlError => error instanceof UnsupportedSqlError,
};
