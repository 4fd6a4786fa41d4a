// The SDK's in-process DirectRunner, as file mode and the local streaming runner run it.
export { runOnDirectRunner, type PipelineFn } from './direct-run.js';
export { InProcessRegistry } from './in-process-registry.js';
