import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curateFile, type CurateFileSummary } from '../file-mode/file-mode.js';
import { envelopeLine, mixedInputLines, STATUS_FIXTURES } from '../testing/fixtures.js';
import type { RunnerName } from './runner-names.js';

/** dlq_ts of every DLQ record, so the files of two runs can be compared byte for byte. */
export const FIXED_NOW = '2025-10-18T09:11:00.000Z';

/** The inputs both runner tests curate: each real snapshot, and every kind of bad message. */
export const RUNNER_TEST_INPUTS: Record<string, () => Buffer> = {
  ...Object.fromEntries(STATUS_FIXTURES.map((f) => [f, () => Buffer.from(`${envelopeLine(f)}\n`)])),
  'mixedInputLines() with blank lines': mixedInputWithBlankLines,
};

/** The corrupted variants (and one invalid UTF-8 line) as bytes, a blank line between each two. */
export function mixedInputWithBlankLines(): Buffer {
  const blank = Buffer.from('\n\n');
  const lines = mixedInputLines().flatMap((line, i) => (i === 0 ? [line] : [blank, line]));
  return Buffer.concat([...lines, Buffer.from('\n  \n')]);
}

/** Every real snapshot, one envelope a line: one job on a runner that is slow to start. */
export function allStatusFixturesInput(): Buffer {
  return Buffer.from(STATUS_FIXTURES.map((f) => `${envelopeLine(f)}\n`).join(''));
}

export interface RunOutcome {
  readonly rows: Buffer;
  readonly dlq: Buffer;
  readonly summary: CurateFileSummary;
}

/**
 * Curates `input` on --runner direct and on `runner`, from one input file (DLQ records name it),
 * in a fresh folder removed afterwards.
 */
export async function curateOnDirectAnd(
  runner: RunnerName,
  input: Buffer,
): Promise<{ direct: RunOutcome; other: RunOutcome }> {
  const dir = mkdtempSync(join(tmpdir(), `pmp-curate-${runner}-`));
  const inputPath = join(dir, 'in.jsonl');
  const curate = async (on: RunnerName): Promise<RunOutcome> => {
    const paths = { output: join(dir, `rows-${on}.jsonl`), dlq: join(dir, `dlq-${on}.jsonl`) };
    const summary = await curateFile({
      input: inputPath,
      ...paths,
      fixedNow: FIXED_NOW,
      runner: on,
      workers: 1,
    });
    return { rows: readFileSync(paths.output), dlq: readFileSync(paths.dlq), summary };
  };
  try {
    writeFileSync(inputPath, input);
    return { direct: await curate('direct'), other: await curate(runner) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A summary without what differs between runners by design (the runner, the time). */
export function figuresOf(
  summary: CurateFileSummary,
): Omit<CurateFileSummary, 'runner' | 'elapsedMs'> {
  const { runner: _runner, elapsedMs: _elapsed, ...figures } = summary;
  return figures;
}
