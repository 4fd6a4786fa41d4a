// Runs the Pub/Sub emulator as its own process (benchmarks and crash tests spawn it; `pmp emulators`
// is the user-facing command). Flags: --port N (gRPC and REST) --admin-port N --data-dir DIR
// --ack-deadline-unit-ms N.
// Prints one JSON line {host, port, adminUrl} on stdout once listening.
import { parseArgs } from 'node:util';
import { createLogger } from '../../runtime/logger.js';
import { startPubSubEmulator } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8085' },
    'admin-port': { type: 'string', default: '8086' },
    'data-dir': { type: 'string' },
    'ack-deadline-unit-ms': { type: 'string' },
  },
});

const emulator = await startPubSubEmulator({
  port: Number(values.port),
  adminPort: Number(values['admin-port']),
  dataDir: values['data-dir'],
  ackDeadlineUnitMs: values['ack-deadline-unit-ms']
    ? Number(values['ack-deadline-unit-ms'])
    : undefined,
  log: createLogger({
    name: 'pubsub-emulator',
    level: process.env.LOG_LEVEL ?? 'warn',
    destination: process.stderr as never,
  }),
});
process.stdout.write(
  JSON.stringify({ host: emulator.host, port: emulator.port, adminUrl: emulator.adminUrl }) + '\n',
);
const stop = () => void emulator.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
