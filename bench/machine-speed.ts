// A fixed piece of CPU work timed before each benchmark: this VM's one-thread speed drifts by a
// third over tens of minutes with nothing else running (the same code, an hour apart: 117k and
// 75k rows/s). A hint for reading figures, not a correction factor (see README.md).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile } from './measure.js';

const SNAPSHOT = resolve(
  fileURLToPath(new URL('..', import.meta.url)),
  '../shared/data/velib/station_status.json',
);

/** Milliseconds for one JSON.parse of the real 446 KiB Vélib snapshot (median of 200, warmed up). */
export function machineSpeedMs(): number {
  const text = readFileSync(SNAPSHOT, 'utf8');
  for (let i = 0; i < 50; i += 1) JSON.parse(text);
  const times: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const started = performance.now();
    JSON.parse(text);
    times.push(performance.now() - started);
  }
  return percentile(times, 0.5);
}

/** One line for the benchmark's output. */
export function machineSpeedLine(): string {
  const ms = machineSpeedMs().toFixed(2);
  return `machine speed: JSON.parse of the Vélib snapshot ${ms} ms (2–3.9 ms seen on this machine; more = a slower moment)`;
}
