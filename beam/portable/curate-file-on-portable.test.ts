import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../cli/main.js';
import { curateFile } from '../file-mode/file-mode.js';
import { envelopeLine } from '../testing/fixtures.js';
import { curateOnDirectAnd, figuresOf, RUNNER_TEST_INPUTS } from './file-mode-runner-fixtures.js';
import { beamPython } from './python-venv.js';

// Real runs on Beam's Python job service (no mocks): each job starts its own service (~2 s).
describe('file mode on --runner portable (Beam Python job service)', () => {
  beforeAll(async () => {
    await beamPython(); // first use in a clean clone: the venv, from pip's cache
  }, 600_000);
  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  });

  for (const [name, input] of Object.entries(RUNNER_TEST_INPUTS)) {
    it(`writes the bytes and counts the figures of --runner direct: ${name}`, async () => {
      const { direct, other: portable } = await curateOnDirectAnd('portable', input());
      expect(portable.rows.equals(direct.rows)).toBe(true);
      expect(portable.dlq.equals(direct.dlq)).toBe(true);
      expect(portable.summary.figuresFrom).toBe('counters');
      expect(figuresOf(portable.summary)).toEqual(figuresOf(direct.summary));
      expect(direct.summary.stationRows).toBeGreaterThan(0);
    }, 180_000);
  }

  it('pmp curate --runner portable prints the summary and where its figures came from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pmp-curate-cli-'));
    try {
      const input = join(dir, 'in.jsonl');
      writeFileSync(input, `${envelopeLine('station_status.json')}\nnot json\n`);
      const out: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        out.push(String(chunk));
        return true;
      });
      const args = ['--input', input, '--output', join(dir, 'r'), '--dlq', join(dir, 'd')];
      await buildProgram().parseAsync(['curate', '--runner', 'portable', ...args], {
        from: 'user',
      });
      expect(process.exitCode ?? 0).toBe(0);
      expect(out.join('')).toMatch(
        /^messages: 2 [\s\S]*station rows: 1495[\s\S]*dlq records: 1 [\s\S]*figures: the pipeline's counters \(runner portable\)\n$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('refuses --workers > 1 on a real runner, and an unknown runner', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pmp-curate-cli-'));
    try {
      const input = join(dir, 'in.jsonl');
      writeFileSync(input, '');
      const paths = { input, output: join(dir, 'r'), dlq: join(dir, 'd') };
      await expect(curateFile({ ...paths, runner: 'flink', workers: 2 })).rejects.toThrow(
        /^--workers must be 1 with --runner flink \(one job on one thread\), got 2$/,
      );
      const err: string[] = [];
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        err.push(String(chunk));
        return true;
      });
      const args = ['--input', input, '--output', paths.output, '--dlq', paths.dlq];
      await buildProgram().parseAsync(
        ['curate', '--runner', 'portable', '--workers', '2', ...args],
        {
          from: 'user',
        },
      );
      expect(process.exitCode).toBe(1);
      expect(err.join('')).toBe(
        'pmp curate: --workers must be 1 with --runner portable (one job on one thread), got 2\n',
      );
      const program = buildProgram().exitOverride();
      for (const command of program.commands) {
        command.exitOverride().configureOutput({ writeErr: (text) => err.push(text) });
      }
      await expect(
        program.parseAsync(['curate', '--runner', 'spark', ...args], { from: 'user' }),
      ).rejects.toThrow(
        /--runner <name>' argument 'spark' is invalid\. one of direct, portable, flink/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
