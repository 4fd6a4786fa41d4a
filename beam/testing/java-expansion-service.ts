import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { javaServiceJar } from '../portable/java-services.js';

/**
 * Beam's real Java GCP IO expansion service (2.49, as the project assembles it), for tests. Its
 * Google API calls are routed through `-Dhttps.proxyHost` to a local recorder that refuses every
 * tunnel: nothing leaves the machine, and a test can see which Google endpoint the service tried
 * to reach (in 2.49 the BigQuery Storage Write expansion looks the table up in BigQuery).
 */
export interface JavaExpansionService {
  /** `host:port` for BEAM_SERVICE_OVERRIDES. */
  readonly address: string;
  /** `host:port` of each tunnel the service asked the proxy for, in order. */
  readonly tunnelRequests: string[];
  /** Everything the JVM printed, for assertions on what it logged. */
  output(): string;
  close(): Promise<void>;
}

export async function startJavaExpansionService(): Promise<JavaExpansionService> {
  const jar = await javaServiceJar('gcpExpansionService');
  const tunnelRequests: string[] = [];
  const proxy = await listen(
    createServer((socket) => {
      socket.once('data', (chunk) => {
        const target = /^CONNECT (\S+)/.exec(chunk.toString('latin1'))?.[1];
        if (target) tunnelRequests.push(target);
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      });
      socket.on('error', () => undefined);
    }),
  );
  const port = await freePort();
  const proxyPort = (proxy.address() as AddressInfo).port;
  const java = spawn(
    'java',
    [
      `-Dhttps.proxyHost=127.0.0.1`,
      `-Dhttps.proxyPort=${proxyPort}`,
      `-Dhttp.proxyHost=127.0.0.1`,
      `-Dhttp.proxyPort=${proxyPort}`,
      '-jar',
      jar,
      String(port),
    ],
    // No Google credentials and no metadata-server probe: the service must not look for a VM.
    { env: { ...process.env, NO_GCE_CHECK: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let printed = '';
  java.stdout!.on('data', (c: Buffer) => (printed += c.toString('utf8')));
  java.stderr!.on('data', (c: Buffer) => (printed += c.toString('utf8')));
  await waitForPort(port, java, () => printed);
  return {
    address: `localhost:${port}`,
    tunnelRequests,
    output: () => printed,
    close: async () => {
      await stop(java);
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function freePort(): Promise<number> {
  const server = await listen(createServer());
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, java: ChildProcess, printed: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (java.exitCode !== null) {
      throw new Error(`the expansion service exited ${java.exitCode}:\n${printed().slice(-2000)}`);
    }
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

function stop(java: ChildProcess): Promise<void> {
  if (java.exitCode !== null || java.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    java.once('exit', () => resolve());
    java.kill('SIGKILL');
  });
}
