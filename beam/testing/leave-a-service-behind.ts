// Starts a BeamServiceProcess (a node server standing in for a JVM) and then dies of an uncaught
// error without stopping it, as a crashing `pmp curate --runner flink` would. Prints the pid first.
import { BeamServiceProcess } from '../portable/service-process.js';

const service = new BeamServiceProcess({
  name: 'a stand-in service',
  command: process.execPath,
  args: (port) => ['-e', `require('node:net').createServer().listen(${port}, '127.0.0.1')`],
});
await service.start();
const child = (service as unknown as { child: { pid: number } }).child;
process.stdout.write(`${child.pid}\n`);
throw new Error('crashed with the service still running');
