import { createServer, type AddressInfo, type Server } from 'node:net';
import { startGcpExpansionService } from '../portable/gcp-expansion-service.js';

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
  const proxyPort = String((proxy.address() as AddressInfo).port);
  let printed = '';
  const service = await startGcpExpansionService({
    jvmArgs: ['https', 'http'].flatMap((scheme) => [
      `-D${scheme}.proxyHost=127.0.0.1`,
      `-D${scheme}.proxyPort=${proxyPort}`,
    ]),
    onOutput: (text) => (printed += text),
  });
  return {
    address: service.address,
    tunnelRequests,
    output: () => printed,
    close: async () => {
      await service.stop();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
