import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** sql/assertions/: one `<name>.sql` per assertion (copied into this service's image). */
export const ASSERTIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../sql/assertions',
);

export type Severity = 'error' | 'warn';

/**
 * A data-quality assertion: a BigQuery query returning the offending rows (none means it holds),
 * over the window `TIMESTAMP(@since)`…`TIMESTAMP(@now)` (both RFC 3339 strings).
 */
export interface Assertion {
  /** The file name without `.sql`. */
  readonly name: string;
  readonly severity: Severity;
  readonly description: string;
  /**
   * `-- needs: collecting`: only meaningful while the collector is scheduled (freshness); a run
   * told nothing is being collected reports it as skipped instead of failing it.
   */
  readonly needsCollecting: boolean;
  readonly query: string;
}

const HEADER_LINE = /^--\s*([a-z]+):\s*(.*?)\s*$/;

/** Parses a file's leading `-- key: value` lines; throws naming the file and the bad key. */
export function parseAssertion(name: string, text: string): Assertion {
  const header: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('--')) break;
    const match = HEADER_LINE.exec(line);
    if (match) header[match[1]!] = match[2]!;
  }
  const severity = header.severity;
  if (severity !== 'error' && severity !== 'warn') {
    throw new TypeError(`sql/assertions/${name}.sql: "-- severity:" must be error or warn`);
  }
  if (!header.description) {
    throw new TypeError(`sql/assertions/${name}.sql: "-- description:" is missing`);
  }
  if (header.needs !== undefined && header.needs !== 'collecting') {
    throw new TypeError(`sql/assertions/${name}.sql: "-- needs:" may only be collecting`);
  }
  return {
    name,
    severity,
    description: header.description,
    needsCollecting: header.needs === 'collecting',
    query: text.trim(),
  };
}

/** Every assertion of `dir`, sorted by name. */
export function readAssertions(dir: string = ASSERTIONS_DIR): Assertion[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) =>
      parseAssertion(file.slice(0, -'.sql'.length), readFileSync(path.join(dir, file), 'utf8')),
    );
}
