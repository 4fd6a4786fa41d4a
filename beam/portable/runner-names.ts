// The runner names alone, so the CLI can parse --runner without loading the SDK's runners.

/** The runners the curated job runs on: `direct` in process, the other two on real Beam runners. */
export const RUNNER_NAMES = ['direct', 'portable', 'flink'] as const;
export type RunnerName = (typeof RUNNER_NAMES)[number];
export type PortableRunnerName = Exclude<RunnerName, 'direct'>;
