// `pmp` start-up (issue #15): what a user waits for before any work, each run a whole process timed
// from spawn to exit. `pmp --help` is node, tsx and the command registry; a `pmp curate` of one
// real snapshot (1,495 station rows) adds the Beam SDK and the DirectRunner, with the pipeline's
// own time taken from the summary it prints; `node -e 0` and node registering tsx
// (what cli/bin/pmp.js does first) are the floor under both.
// RUNS runs each, interleaved, median and range; the machine is shared (load average printed).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envelopeLine, STATUS_FIXTURES } from '../beam/testing/fixtures.js';
import { machineSpeedLine } from './machine-speed.js';
import { percentile } from './measure.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const repo = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pmp-startup-bench-'));
const input = join(dir, 'one-snapshot.jsonl');
writeFileSync(input, `${envelopeLine(STATUS_FIXTURES[0])}\n`);

interface Case {
  readonly name: string;
  readonly args: string[];
  /** Pipeline seconds from the `elapsed:` line `pmp curate` prints. */
  readonly pipeline?: boolean;
}

const cases: Case[] = [
  { name: 'node -e 0 (floor)', args: ['-e', '0'] },
  {
    name: 'node + tsx registered, as pmp.js does',
    args: ['--input-type=module', '-e', "import { register } from 'tsx/esm/api'; register();"],
  },
  { name: 'pmp --help', args: ['cli/bin/pmp.js', '--help'] },
  {
    name: 'pmp curate, 1 snapshot (direct)',
    args: [
      'cli/bin/pmp.js',
      'curate',
      '--input',
      input,
      '--output',
      join(dir, 'rows.jsonl'),
      '--dlq',
      join(dir, 'dlq.jsonl'),
    ],
    pipeline: true,
  },
];

function once(c: Case): { wallMs: number; pipelineMs: number | null } {
  const started = performance.now();
  const run = spawnSync(process.execPath, c.args, { cwd: repo, encoding: 'utf8' });
  const wallMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`${c.name} exited ${run.status}:\n${run.stderr}`);
  const elapsed = /elapsed: ([\d.]+) s/.exec(run.stdout);
  return { wallMs, pipelineMs: c.pipeline && elapsed ? Number(elapsed[1]) * 1000 : null };
}

console.log(machineSpeedLine());
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');
const loadBefore = load();
for (const c of cases) once(c); // warm tsx's transform cache and the OS file cache
const walls = cases.map(() => [] as number[]);
const pipelines = cases.map(() => [] as number[]);
for (let run = 0; run < RUNS; run += 1) {
  cases.forEach((c, i) => {
    const { wallMs, pipelineMs } = once(c);
    walls[i]!.push(wallMs);
    if (pipelineMs !== null) pipelines[i]!.push(pipelineMs);
  });
}
console.log(
  `${RUNS} runs each, interleaved, wall time spawn to exit; load average ${loadBefore} → ${load()} (1/5/15 min, 2 cores)`,
);
const seconds = (ms: number) => (ms / 1000).toFixed(2);
cases.forEach((c, i) => {
  const sorted = [...walls[i]!].sort((a, b) => a - b);
  const pipeline =
    pipelines[i]!.length > 0
      ? `  (pipeline ${seconds(percentile(pipelines[i]!, 0.5))} s of it)`
      : '';
  console.log(
    `  ${c.name.padEnd(40)} median ${seconds(percentile(sorted, 0.5))} s  range ${seconds(sorted[0]!)}–${seconds(sorted.at(-1)!)} s${pipeline}`,
  );
});
rmSync(dir, { recursive: true, force: true });
