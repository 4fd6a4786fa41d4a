import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/simulator/testing/fixtures.js';
import { registerSimulate } from './simulate.js';

const pmp = resolve(repoRoot, 'cli/bin/pmp.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `pmp` binary, as a user would. */
function run(args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [pmp, 'simulate', ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Parses flags in-process through the real command definition; returns what commander printed. */
async function parseFlags(args: string[]): Promise<{ exitCode: number; stderr: string }> {
  const program = new Command('pmp');
  registerSimulate(program);
  let stderr = '';
  for (const command of [program, ...program.commands]) {
    command
      .exitOverride()
      .configureOutput({ writeErr: (text) => (stderr += text), writeOut: () => {} });
  }
  try {
    await program.parseAsync(['node', 'pmp', 'simulate', ...args]);
    return { exitCode: 0, stderr };
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { exitCode: error.exitCode, stderr: stderr + error.message };
  }
}

describe('pmp simulate', () => {
  it.each([
    [['--gbfs', '9'], /argument '9' is invalid\. Allowed choices are velib, 2\.3/],
    [['--start', '2025-10-18T09:00'], /is not an ISO 8601 time with a zone/],
    [['--start', '2025-02-30'], /"2025-02-30" is not a real date/],
    [['--speed', '0'], /"0" is not a speed-up factor/],
    [['--seed', '1.5'], /"1\.5" is not an integer/],
    [['--port', 'http'], /"http" is not a port/],
    [
      ['--export', 'x', '--every', '15s'],
      /15s must be a positive multiple of the model's 10s tick/,
    ],
    [['--export', 'x', '--from', '2025-10-18'], /--export needs --from and --to/],
    [['--export', 'x', '--speed', '2'], /--speed only applies when serving/],
    [['--from', '2025-10-18'], /--from only applies with --export DIR/],
  ])('rejects %j with a clear message and a non-zero exit', async (args, message) => {
    const result = await parseFlags(args);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  it.concurrent('--export writes the recorded history and says what it wrote', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pmp-sim-cli-'));
    try {
      const result = await run([
        '--export',
        dir,
        '--from',
        '2025-10-18T09:10:00Z',
        '--to',
        '2025-10-18T09:12:00Z',
        '--every',
        '1m',
      ]);
      expect(result.stderr).toBe(''); // no progress bar when stderr is not a terminal
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/wrote 3 station_status snapshots/);
      expect((await readdir(dir)).sort()).toEqual([
        'station_information.json',
        'station_status_2025-10-18T09-10-00Z.json',
        'station_status_2025-10-18T09-11-00Z.json',
        'station_status_2025-10-18T09-12-00Z.json',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.concurrent(
    'serves on an ephemeral port, prints the URL and stops cleanly on SIGINT',
    async () => {
      const child = spawn(
        process.execPath,
        [pmp, 'simulate', '--port', '0', '--speed', '60', '--start', '2025-10-20T05:00:00Z'],
        { cwd: repoRoot },
      );
      const url = await new Promise<string>((found, fail) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match) found(match[1]!);
        });
        child.on('error', fail);
        child.on('close', (code) => fail(new Error(`exited ${code} before listening: ${out}`)));
      });
      const doc = (await (await fetch(`${url}/station_status.json`)).json()) as {
        data: { stations: unknown[] };
      };
      expect(doc.data.stations).toHaveLength(1495);
      const exited = new Promise<number | null>((done) => child.on('close', done));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    },
  );
});
