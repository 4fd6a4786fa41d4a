// A stand-in for `pmp start` that test code can SIGKILL: starts one service as the stack does,
// prints its pid, then waits to be killed.
import path from 'node:path';
import { startChildService } from '../child-service.js';

const root = path.resolve(import.meta.dirname, '../../..');
const service = await startChildService({
  name: 'pmp-velib-collector',
  entry: 'services/velib-collector/main.ts',
  cwd: root,
  env: {
    PATH: process.env.PATH ?? '',
    METADATA_SERVER_DETECTION: 'none',
    PORT: '0',
    ...JSON.parse(process.argv[2] ?? '{}'),
  },
  logFile: path.join(process.argv[3] ?? '/tmp', 'collector.log'),
});
console.log(`CHILD ${service.pid}`);
setInterval(() => undefined, 1 << 30);
