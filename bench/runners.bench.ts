// File mode on every runner (issue #15), each run a whole `pmp curate` process timed from spawn to
// exit (start-up, SDK load, job service or JVM start, the job, teardown): what a user waits for. The
// same input, the real snapshots repeated to ~100 envelopes, also goes through a Python Beam
// DirectRunner pipeline written as the original would (bench/python_baseline/curate_baseline.py,
// plain Map/FlatMap over ReadFromText/WriteToText, the project's venv): the baseline the target is
// set against (direct ≥ 5× its rows/s). Wall time on a shared 2-core VM: compare within one run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { javaServiceJar } from '../beam/portable/java-services.js';
import { beamPython } from '../beam/portable/python-venv.js';
import { envelopeLine, STATUS_FIXTURES } from '../beam/testing/fixtures.js';
import { machineSpeedLine } from './machine-speed.js';

const TARGET_RATIO = 5;
const COPIES = Number(process.env.BENCH_COPIES ?? 33); // × 3 real snapshots
const repo = fileURLToPath(new URL('..', import.meta.url));

console.log(machineSpeedLine());
// First use provisions the venv and the Flink job server; that is not what is measured.
const python = await beamPython();
await javaServiceJar('flinkJobServer');

const dir = mkdtempSync(join(tmpdir(), 'pmp-runners-bench-'));
const input = join(dir, 'events.jsonl');
const lines = STATUS_FIXTURES.map((f) => envelopeLine(f));
writeFileSync(input, `${Array.from({ length: COPIES }, () => lines.join('\n')).join('\n')}\n`);

interface Measured {
  readonly name: string;
  readonly wallMs: number;
  readonly rows: number;
  readonly output: string;
}

function timed(name: string, command: string, args: string[], output: string): Measured {
  const started = performance.now();
  const run = spawnSync(command, args, { cwd: repo, encoding: 'utf8' });
  const wallMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`${name} exited ${run.status}:\n${run.stderr}`);
  const bytes = readFileSync(output);
  let rows = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) rows += 1;
  return { name, wallMs, rows, output };
}

function pmpCurate(name: string, extra: string[]): Measured {
  const output = join(dir, `rows-${name.replace(/\W+/g, '-')}.jsonl`);
  const dlq = join(dir, `dlq-${name.replace(/\W+/g, '-')}.jsonl`);
  const args = ['cli/bin/pmp.js', 'curate', '--input', input, '--output', output, '--dlq', dlq];
  return timed(name, process.execPath, [...args, ...extra], output);
}

const loadBefore = loadavg()
  .map((n) => n.toFixed(1))
  .join(' ');
const results = [
  pmpCurate('direct (default --workers)', []),
  pmpCurate('direct --workers 1', ['--workers', '1']),
  pmpCurate('portable', ['--runner', 'portable']),
  pmpCurate('flink', ['--runner', 'flink']),
];
const pythonOutput = join(dir, 'rows-python.jsonl');
const baseline = timed(
  'Python Beam DirectRunner baseline',
  python,
  [join(repo, 'bench/python_baseline/curate_baseline.py'), input, pythonOutput],
  pythonOutput,
);
const loadAfter = loadavg()
  .map((n) => n.toFixed(1))
  .join(' ');

const reference = readFileSync(results[0]!.output);
for (const r of results.slice(1)) {
  if (!readFileSync(r.output).equals(reference)) throw new Error(`${r.name} wrote other rows`);
}
if (baseline.rows !== results[0]!.rows) {
  throw new Error(`the Python baseline wrote ${baseline.rows} rows, pmp ${results[0]!.rows}`);
}

const perSecond = (m: Measured) => m.rows / (m.wallMs / 1000);
const inputMb = (statSync(input).size / 1e6).toFixed(0);
console.log(
  `input: ${COPIES * lines.length} snapshots, ${inputMb} MB, ${baseline.rows.toLocaleString('en')} station rows; load average ${loadBefore} → ${loadAfter} (1/5/15 min, 2 cores)`,
);
console.log('whole process, wall time (every pmp output byte for byte the same):');
for (const m of [...results, baseline]) {
  const ratio = perSecond(m) / perSecond(baseline);
  console.log(
    `  ${m.name.padEnd(36)} ${(m.wallMs / 1000).toFixed(2).padStart(6)} s  ${Math.round(perSecond(m)).toLocaleString('en').padStart(9)} rows/s  ${ratio.toFixed(2)}× the Python baseline`,
  );
}
const ratio = perSecond(results[0]!) / perSecond(baseline);
console.log(
  `direct (default) / Python baseline: ${ratio.toFixed(1)}× (target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? 'met' : 'not met'})`,
);
rmSync(dir, { recursive: true, force: true });
