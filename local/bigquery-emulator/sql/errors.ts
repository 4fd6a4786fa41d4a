/** Line and column (both 1-based) of a construct in the original BigQuery SQL text. */
export interface SqlPosition {
  readonly line: number;
  readonly column: number;
}

/** 1-based line/column of a 0-based character offset, the way BigQuery reports `[line:column]`. */
export function positionOf(sql: string, offset: number): SqlPosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.max(0, Math.min(offset, sql.length));
  for (let i = 0; i < end; i++) {
    if (sql[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * The query uses something the translator cannot express in DuckDB with the same meaning, or is
 * malformed. The emulator maps it to BigQuery's `invalidQuery` error: `construct` names what was
 * refused and `position` where it starts, so the user can fix or report it.
 */
export class UnsupportedSqlError extends Error {
  readonly construct: string;
  readonly position: SqlPosition;

  constructor(construct: string, position: SqlPosition, detail?: string) {
    super(
      `${detail ?? `${construct} is not supported by the BigQuery emulator`} at [${position.line}:${position.column}]`,
    );
    this.name = 'UnsupportedSqlError';
    this.construct = construct;
    this.position = position;
  }
}
