// The SDK's modules import each other in a cycle that only resolves when they load in the right
// order; beam-sdk.ts loads them so (without the SDK's io, which the DirectRunner does not need).
import '../beam-sdk.js';
import type * as beam from 'apache-beam/pvalue';
import { directRunner } from 'apache-beam/runners/direct_runner';

/** The pipeline shape both local runners hand to the DirectRunner. */
export type PipelineFn = (root: beam.Root) => beam.PValue<unknown> | Promise<beam.PValue<unknown>>;

/**
 * Runs a pipeline to completion on the SDK's in-process DirectRunner (batch only, one bundle) and
 * returns its user counters. The SDK's worker prints a `console.debug` line per bundle on stdout;
 * it is silenced for the duration of the run so the CLI output and JSON logs stay clean.
 */
export async function runOnDirectRunner(pipeline: PipelineFn): Promise<Record<string, number>> {
  const debug = console.debug;
  console.debug = () => undefined;
  try {
    const result = await directRunner().run(pipeline);
    return await result.counters();
  } finally {
    console.debug = debug;
  }
}
