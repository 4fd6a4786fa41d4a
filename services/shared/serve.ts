import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from '../../runtime/logger.js';
import type { Lifecycle } from './health.js';
import { connectHost } from './listen-host.js';

export interface ServeOptions {
  readonly port: number;
  /**
   * The address to listen on (`HOST`). @default every interface (Node's `::`, dual-stack), which
   * Cloud Run needs
   */
  readonly host?: string;
  readonly log: Logger;
  readonly lifecycle: Lifecycle;
  /** Releases clients (Pub/Sub channels, ...) once the last request has finished. */
  readonly onClose?: () => Promise<void>;
  /**
   * How long in-flight requests may take to finish after SIGTERM before connections are cut.
   * Cloud Run allows 10 s between SIGTERM and SIGKILL. @default 8000
   */
  readonly drainMs?: number;
  /**
   * A process of its own (an entry point): install SIGTERM/SIGINT handlers, and end the process
   * with one fatal log line when the port cannot be had (in use, not permitted). Otherwise the
   * returned promise rejects with the listen error. @default true
   */
  readonly handleSignals?: boolean;
  /**
   * The local stack's process id (`PMP_STACK_PID`, validated with the service's settings): exit as
   * soon as we are no longer its child. Only with handleSignals (a process of our own).
   */
  readonly stackPid?: number;
}

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /** Stop accepting, let in-flight requests finish (up to drainMs), then close clients. */
  close(): Promise<void>;
}

/**
 * Listens and shuts down gracefully: on SIGTERM the health check turns 503, the listener closes,
 * idle keep-alive sockets are dropped, in-flight requests get `drainMs` to finish, then clients close.
 */
export async function serve(app: Koa, options: ServeOptions): Promise<RunningServer> {
  const server = createServer(app.callback());
  // Cloud Run's front end keeps connections open; don't let Node time them out first.
  server.keepAliveTimeout = 65_000;
  await listenOrExit(server, options);
  const { address, port } = server.address() as AddressInfo;
  const drainMs = options.drainMs ?? 8_000;
  let closing: Promise<void> | undefined;
  // A keep-alive connection whose last request finishes during the drain becomes idle: drop it
  // then, instead of letting it hold the shutdown until drainMs.
  server.on('request', (_request, response) => {
    response.on('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });

  const close = (): Promise<void> => {
    closing ??= (async () => {
      options.lifecycle.draining = true;
      options.log.info({ drainMs }, 'shutting down: draining in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        options.log.warn('drain timeout: closing remaining connections');
        server.closeAllConnections();
      }, drainMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
      await options.onClose?.();
      options.log.info('shut down');
    })();
    return closing;
  };

  if (options.handleSignals ?? true) {
    const onSignal = (signal: NodeJS.Signals) => {
      options.log.info({ signal }, 'signal received');
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          options.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    // Started by the local stack: if the stack dies without stopping us (kill -9) we are
    // re-parented. Exit at once instead of lingering as an orphan that holds its port; there is
    // nothing left to drain for (the emulators died with the stack) and no one reads our output
    // (a log write to the dead stack's pipe can block forever).
    const stackPid = options.stackPid;
    if (stackPid !== undefined) {
      setInterval(() => {
        if (process.ppid !== stackPid) process.exit(0);
      }, 500).unref();
    }
  }
  options.log.info({ host: address, port }, 'listening');
  // A wildcard bind (the default) also answers on IPv4 loopback, the address every caller has.
  const reachable = options.host === undefined ? '127.0.0.1' : connectHost(options.host);
  return { server, port, url: `http://${reachable}:${port}`, close };
}

/** The listening part of an entry point's validated environment. */
export interface ListenSettings {
  readonly PORT: number;
  readonly HOST?: string;
  readonly PMP_STACK_PID?: number;
}

/** `serve` for an entry point: HOST, PORT and PMP_STACK_PID from its settings, signals handled. */
export function serveMain(
  app: Koa,
  settings: ListenSettings,
  options: Pick<ServeOptions, 'log' | 'lifecycle' | 'onClose'>,
): Promise<RunningServer> {
  return serve(app, {
    ...options,
    port: settings.PORT,
    host: settings.HOST,
    stackPid: settings.PMP_STACK_PID,
  });
}

/**
 * A taken port is a deployment fault, not a bug: an entry point says so in one line Cloud Run
 * shows (where an uncaught rejection would print a bare stack trace) and exits 1.
 */
async function listenOrExit(server: Server, options: ServeOptions): Promise<void> {
  try {
    await listen(server, options.port, options.host);
  } catch (error) {
    if (!(options.handleSignals ?? true)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? 'it is already in use' : (error as Error).message;
    options.log.fatal(
      { err: error, port: options.port, host: options.host },
      `cannot listen on port ${options.port}: ${reason}`,
    );
    process.exit(1);
  }
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
