import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { javaServiceJar } from './java-services.js';

export interface RunningExpansionService {
  /** `localhost:port`, for BEAM_SERVICE_OVERRIDES. */
  readonly address: string;
  stop(): Promise<void>;
}

/**
 * Beam's Java GCP IO expansion service with the environment its transforms run in: `EMBEDDED` for
 * Flink, whose job server then runs them in its own JVM (no Docker), or Beam's default (the
 * Java SDK container) for Dataflow. The SDK would start the jar itself, but with no way to pass
 * that option. Its logs go to `log` (default: discarded; Java INFO lines are many).
 */
export async function startGcpExpansionService(
  options: {
    environment?: 'EMBEDDED' | 'DOCKER';
    log?: (text: string) => void;
    /** JVM options before `-jar` (tests route Google API calls to a local proxy with them). */
    jvmArgs?: readonly string[];
  } = {},
): Promise<RunningExpansionService> {
  const jar = await javaServiceJar('gcpExpansionService');
  const port = await freePort();
  const args = [...(options.jvmArgs ?? []), '-jar', jar, String(port)];
  if (options.environment === 'EMBEDDED') args.push('--defaultEnvironmentType=EMBEDDED');
  // No Google credentials are looked for on a VM that is not there (no metadata-server probe).
  const java = spawn('java', args, {
    env: { ...process.env, NO_GCE_CHECK: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = options.log ?? (() => undefined);
  java.stdout!.on('data', (c: Buffer) => log(c.toString('utf8')));
  java.stderr!.on('data', (c: Buffer) => log(c.toString('utf8')));
  await waitForPort(port, java);
  return { address: `localhost:${port}`, stop: () => stopProcess(java) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, java: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (java.exitCode !== null) throw new Error(`the expansion service exited ${java.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  java.kill('SIGKILL');
  throw new Error(`the expansion service did not listen on ${port} within 60 s`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
