import type { PipelineFn } from './direct/direct-run.js';
import type { RunnerName } from './portable/runner-names.js';

/**
 * A finished job's user counters, or null where the runner reports none for a TypeScript pipeline
 * (Beam's Flink job server drops them; docs/dataflow.md).
 */
export type JobCounters = Readonly<Record<string, number>> | null;

/** One runner, whichever `--runner` named: pipelines are written once and handed to `run`. */
export interface CuratedRunner {
  readonly name: RunnerName;
  /**
   * Whether a pipeline's sinks see their elements in input order: the in-process DirectRunner runs
   * one bundle in order; a real runner may run stages apart (Beam's Python runner writes one
   * stage's DLQ records after the other's), so file mode puts them back in order after it.
   */
  readonly keepsInputOrder: boolean;
  /** Runs `pipeline` to its end on this runner and returns what it counted. */
  run(pipeline: PipelineFn): Promise<JobCounters>;
}

/**
 * The runner `name` selects, as the SDK's `createRunner` picks one from `options.runner` in Beam's
 * TypeScript examples (examples/wordcount.ts): `direct` in process; `portable` and `flink` are real
 * Beam runners with their TypeScript workers in LOOPBACK here (portable/runners.ts), each run one
 * job with the SDK's console kept quiet unless it fails (portable/quiet-run.ts). Their modules load
 * here, so a caller that only parses `--runner` loads no SDK; provisioning a real runner on first
 * use (venv, jars) may throw a ToolchainError.
 */
export async function createRunner(name: RunnerName): Promise<CuratedRunner> {
  if (name === 'direct') {
    const { runOnDirectRunner } = await import('./direct/direct-run.js');
    return { name, keepsInputOrder: true, run: runOnDirectRunner };
  }
  const [{ createPortableRunner }, { runQuietly }] = await Promise.all([
    import('./portable/runners.js'),
    import('./portable/quiet-run.js'),
  ]);
  const runner = await createPortableRunner(name);
  return {
    name,
    keepsInputOrder: false,
    async run(pipeline) {
      await runQuietly(() => runner.run(pipeline));
      const reported = runner.reportedUserCounters();
      return reported.from === null ? null : reported.counters;
    },
  };
}
