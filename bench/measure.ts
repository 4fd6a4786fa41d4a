// Small measuring helpers the benchmarks share.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/**
 * User + system CPU seconds recorded in a /proc `stat` file, a process's (`/proc/PID/stat`) or a
 * thread's (`/proc/PID/task/TID/stat`); NaN where there is no such file (no /proc).
 */
export function procStatCpuSeconds(statFile: string): number {
  if (!existsSync(statFile)) return NaN;
  const stat = readFileSync(statFile, 'utf8');
  // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/** CPU seconds of each thread of this process, by thread id (empty without /proc). */
export function threadCpuSeconds(): Map<string, number> {
  const seconds = new Map<string, number>();
  if (!existsSync('/proc/self/task')) return seconds;
  for (const tid of readdirSync('/proc/self/task')) {
    const used = procStatCpuSeconds(`/proc/self/task/${tid}/stat`);
    if (!Number.isNaN(used)) seconds.set(tid, used); // a thread that ended meanwhile is left out
  }
  return seconds;
}

/** CPU seconds the whole machine has spent (every process, user + system) since it booted. */
export function machineCpuSeconds(): number {
  const ms = cpus().reduce(
    (sum, { times }) => sum + times.user + times.nice + times.sys + times.irq,
    0,
  );
  return ms / 1000;
}

/** The `p` quantile (0–1) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}
