// Worker threads do not inherit the parent's TypeScript loader when it was registered
// programmatically (vitest, `tsx` as a library), so every TypeScript worker starts here: register
// tsx in this thread, then load the entry module named by the parent (see ts-worker.ts).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
