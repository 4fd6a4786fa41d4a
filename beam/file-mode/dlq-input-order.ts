import { readFileSync, writeFileSync } from 'node:fs';

/** The input line a DLQ record of file mode came from (its message's `input_line` attribute). */
function inputLineOf(record: string): number {
  const { event_meta } = JSON.parse(record) as { event_meta?: string | null };
  const meta = event_meta
    ? (JSON.parse(event_meta) as { attributes?: Record<string, string> })
    : {};
  const line = Number(meta.attributes?.input_line);
  return Number.isFinite(line) ? line : Infinity;
}

/**
 * Rewrites file mode's DLQ file in input order, each record's bytes untouched. The DirectRunner
 * (and Flink, one fused chain at parallelism 1) write the records of both stages as the lines are
 * read; Beam's Python runner runs the two stages' DLQ outputs as separate steps into the flatten
 * and writes one stage's records after the other's. Input order is file mode's contract on every
 * runner (`--workers N` keeps it too), so the files are the same bytes whichever ran.
 */
export function putDlqInInputOrder(path: string): void {
  const records = readFileSync(path, 'utf8')
    .split('\n')
    .filter((record) => record.length > 0);
  const ordered = records
    .map((record, at) => ({ record, at, line: inputLineOf(record) }))
    .sort((a, b) => a.line - b.line || a.at - b.at);
  if (ordered.every(({ at }, i) => at === i)) return;
  writeFileSync(path, ordered.map(({ record }) => `${record}\n`).join(''));
}
