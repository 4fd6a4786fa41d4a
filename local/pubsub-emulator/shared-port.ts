import type { Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';

/** Every HTTP/2 connection opens with this preface (RFC 9113 §3.4); no HTTP/1.1 request does. */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export interface SharedPort {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Reads a new connection's first bytes without consuming them: `onHttp2` gets it once they are
 * the HTTP/2 preface, `onHttp1` as soon as they differ from it (HTTP/1.1 differs by the 2nd byte).
 */
function sniff(socket: Socket, onHttp2: () => void, onHttp1: () => void): void {
  let seen = Buffer.alloc(0);
  const dropEarly = () => socket.destroy();
  const onReadable = () => {
    for (
      let chunk = socket.read() as Buffer | null;
      chunk;
      chunk = socket.read() as Buffer | null
    ) {
      seen = Buffer.concat([seen, chunk]);
    }
    const n = Math.min(seen.length, HTTP2_PREFACE.length);
    const http2 = seen.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n));
    if (seen.length === 0 || (http2 && n < HTTP2_PREFACE.length)) return;
    socket.off('readable', onReadable).off('error', dropEarly).off('end', dropEarly);
    // Put the bytes back: the server taking the connection reads them as if never touched.
    socket.unshift(seen);
    if (http2) onHttp2();
    else onHttp1();
  };
  socket.on('readable', onReadable).on('error', dropEarly).on('end', dropEarly);
}

/**
 * One port for gRPC and REST, as Google's own emulator serves both on PUBSUB_EMULATOR_HOST: HTTP/2
 * connections go to the gRPC server (grpc-js's connection injector), HTTP/1.1 ones to `http`.
 */
export function listenShared(options: {
  readonly host: string;
  readonly port: number;
  readonly grpcServer: grpc.Server;
  readonly http: HttpServer;
}): Promise<SharedPort> {
  const injector = options.grpcServer.createConnectionInjector(
    grpc.ServerCredentials.createInsecure(),
  );
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    sniff(
      socket,
      () => injector.injectConnection(socket),
      () => {
        // Small JSON answers on keep-alive connections: don't let Nagle hold them back.
        socket.setNoDelay(true);
        options.http.emit('connection', socket);
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            injector.destroy();
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}
