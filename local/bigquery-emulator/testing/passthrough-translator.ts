import type { StatementType, Translator } from '../translator.js';

/**
 * A stand-in translator for the emulator's own tests while the real one (./sql) is not there, and
 * for tests that must not depend on it: it only resolves backtick table names through the
 * resolver and passes everything else to DuckDB unchanged. Never used outside tests.
 */
export const passthroughTranslator: Translator = {
  translate(sql, options) {
    const translated = sql.replace(/`([^`]+)`/g, (whole, name: string, offset: number) => {
      const parts = name.split('.');
      if (parts.length < 2 || parts.length > 3) return whole;
      const [projectId, datasetId, tableId] =
        parts.length === 3 ? parts : [undefined, parts[0], parts[1]];
      return options.resolver.resolve(
        { ...(projectId ? { projectId } : {}), datasetId: datasetId!, tableId: tableId! },
        offset,
      );
    });
    const keyword = /^\s*(\w+)(?:\s+(?:OR\s+REPLACE\s+)?(\w+))?/i.exec(translated);
    const first = keyword?.[1]?.toUpperCase() ?? '';
    const second = keyword?.[2]?.toUpperCase() ?? '';
    const statementType: StatementType =
      first === 'SELECT' || first === 'WITH'
        ? 'SELECT'
        : first === 'CREATE'
          ? second === 'VIEW'
            ? 'CREATE_VIEW'
            : 'CREATE_TABLE'
          : first === 'DROP'
            ? 'DROP_TABLE'
            : ((['INSERT', 'DELETE', 'UPDATE', 'MERGE'].includes(first)
                ? first
                : 'SCRIPT') as StatementType);
    return { sql: translated, statementType };
  },
  // It never reports unsupported constructs: whatever DuckDB rejects fails as invalidQuery.
  isUnsupported: (
    _error,
  ): _error is Error & { construct: string; position: { line: number; column: number } } => false,
};
