import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Command, CommanderError } from 'commander';
import { registerCurate } from '../../cli/commands/curate.js';
import { buildProgram } from '../../cli/main.js';
import { curateFile, CurateFileError } from './file-mode.js';
import { envelopeLine } from '../testing/fixtures.js';

describe('file mode (pmp curate --input --output --dlq)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pmp-curate-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exitCode = undefined;
    vi.restoreAllMocks();
  });

  it('prints the counts and writes rows and DLQ records', async () => {
    const input = join(dir, 'events.jsonl');
    writeFileSync(input, `${envelopeLine('station_status.json')}\nnot json\n`);
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const [rows, dlq] = [join(dir, 'rows.jsonl'), join(dir, 'dlq.jsonl')];
    await buildProgram().parseAsync(['curate', '--input', input, '--output', rows, '--dlq', dlq], {
      from: 'user',
    });
    expect(process.exitCode ?? 0).toBe(0);
    expect(out.join('')).toMatch(/messages: 2[\s\S]*station rows: 1495[\s\S]*dlq records: 1/);
    expect(readFileSync(rows, 'utf8').trim().split('\n')).toHaveLength(1495);
    expect(JSON.parse(readFileSync(dlq, 'utf8'))).toMatchObject({ stage: 'parse_normalize' });
  });

  it('names the option and the path when a file cannot be used', async () => {
    const input = join(dir, 'events.jsonl');
    writeFileSync(input, '');
    await expect(
      curateFile({
        input: join(dir, 'missing.jsonl'),
        output: join(dir, 'o'),
        dlq: join(dir, 'd'),
      }),
    ).rejects.toThrow(/cannot read --input .*missing\.jsonl: no such file or directory \(ENOENT\)/);
    await expect(
      curateFile({ input, output: join(dir, 'no/such/dir/rows.jsonl'), dlq: join(dir, 'd') }),
    ).rejects.toThrow(/cannot write --output .*rows\.jsonl: no such file or directory/);
    await expect(
      curateFile({ input: dir, output: join(dir, 'o'), dlq: join(dir, 'd') }),
    ).rejects.toThrow(/cannot read --input .*is a directory/);
    await expect(
      curateFile({ input, output: join(dir, 'same'), dlq: join(dir, 'same') }),
    ).rejects.toThrow(CurateFileError);
  });

  it('exits non-zero with a one-line message on an I/O error', async () => {
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err.push(String(chunk));
      return true;
    });
    await buildProgram().parseAsync(
      [
        'curate',
        '--input',
        join(dir, 'nope.jsonl'),
        '--output',
        join(dir, 'o'),
        '--dlq',
        join(dir, 'd'),
      ],
      { from: 'user' },
    );
    expect(process.exitCode).toBe(1);
    expect(err.join('')).toMatch(/^pmp curate: cannot read --input .*nope\.jsonl/);
  });

  it('--workers is taken from the command line; out-of-range values are refused', async () => {
    // One small range: no worker thread starts here (file-mode-parallel.test.ts runs them).
    const input = join(dir, 'events.jsonl');
    writeFileSync(input, `${envelopeLine('station_status.json')}\nnot json\n`);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const [rows, dlq] = [join(dir, 'rows.jsonl'), join(dir, 'dlq.jsonl')];
    await buildProgram().parseAsync(
      ['curate', '--input', input, '--output', rows, '--dlq', dlq, '--workers', '2'],
      { from: 'user' },
    );
    expect(process.exitCode ?? 0).toBe(0);
    expect(readFileSync(rows, 'utf8').trim().split('\n')).toHaveLength(1495);

    for (const bad of ['0', '9', '1.5', 'two']) {
      const program = new Command('pmp');
      registerCurate(program);
      let stderr = '';
      for (const command of [program, ...program.commands]) {
        command
          .exitOverride()
          .configureOutput({ writeErr: (text) => (stderr += text), writeOut: () => {} });
      }
      await expect(
        program.parseAsync(['node', 'pmp', 'curate', '--input', input, '--workers', bad]),
      ).rejects.toThrow(CommanderError);
      expect(stderr).toMatch(/--workers <n>' argument '.*' is invalid\. an integer from 1 to 8/);
    }
  });

  it('an empty input is fine: zero of everything', async () => {
    const input = join(dir, 'empty.jsonl');
    writeFileSync(input, '');
    const summary = await curateFile({ input, output: join(dir, 'o'), dlq: join(dir, 'd') });
    expect(summary).toMatchObject({ messages: 0, stationRows: 0 });
  });
});
