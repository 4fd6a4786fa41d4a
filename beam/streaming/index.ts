// The curated job as a stream: the local runner (in process or on its own thread) and its entry
// point. The Flink variant (flink-streaming.ts) is imported by its test alone, and stays out of
// here: it loads the portable runner and the Java services' provisioning.
export * from './streaming-runner.js';
export * from './streaming-runner-thread.js';
export { CuratedStreamingEnv, runCuratedStreamingFromEnv } from './streaming-main.js';
