import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Service } from 'apache-beam/utils/service';

/** How long a service may take to listen: a cold JVM with Flink on a busy 2-core VM takes ~15 s. */
export const SERVICE_READY_TIMEOUT_MS = 120_000;
/** How long a service may take to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;
/** Lines of a service's output kept for the error message when it fails. */
const KEPT_OUTPUT_LINES = 40;

/**
 * Services still running. A JVM does not notice that the process which started it has gone, so one
 * left behind by a crash or an uncaught error would hold its ports and memory until killed by hand;
 * they are killed as this process exits, however it exits short of SIGKILL.
 */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killRunningOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const service of running) service.kill('SIGKILL');
  });
}

export interface BeamServiceProcessOptions {
  /** What the service is, for messages ("Beam's Flink job server"). */
  readonly name: string;
  readonly command: string;
  /** The arguments, given the port the service must listen on. */
  readonly args: (port: number) => readonly string[];
  /** @default SERVICE_READY_TIMEOUT_MS */
  readonly readyTimeoutMs?: number;
  /** Called once the process has exited after stop() (e.g. to remove its temporary folder). */
  readonly onStopped?: () => void;
  /** The child's environment. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Everything the service prints, as it prints it (tests assert on a service's log). */
  readonly onOutput?: (text: string) => void;
}

/**
 * A Beam service (Python's local job service, Flink's job server, the Java expansion service) as a
 * child process, in place of the SDK's SubprocessService, which waits only 10 s for the port (too
 * short for a cold JVM here) and lets the child inherit our stdout/stderr (Flink's INFO logs all
 * over the CLI's output). This one keeps the child's output to itself and shows its last lines only
 * if the service dies or never listens. Job services are handed to the SDK's PortableRunner as its
 * `Service`; the expansion service's address goes into BEAM_SERVICE_OVERRIDES.
 */
export class BeamServiceProcess implements Service {
  private child: ChildProcess | null = null;
  private readonly output: string[] = [];

  constructor(private readonly options: BeamServiceProcessOptions) {}

  async start(): Promise<string> {
    const port = await freePort();
    const child = spawn(this.options.command, [...this.options.args(port)], {
      env: this.options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    killRunningOnExit(child);
    const keep = (chunk: Buffer) => {
      this.options.onOutput?.(chunk.toString('utf8'));
      this.output.push(...chunk.toString('utf8').split('\n'));
      if (this.output.length > KEPT_OUTPUT_LINES) {
        this.output.splice(0, this.output.length - KEPT_OUTPUT_LINES);
      }
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    try {
      await this.waitUntilListening(child, port);
    } catch (error) {
      await this.stop();
      throw error;
    }
    return `localhost:${port}`;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) {
      // A JVM takes a moment to exit; one that hangs is killed. The timer is cleared once the child
      // is gone, or it alone would keep the process alive.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    this.options.onStopped?.();
  }

  /** The last lines the service printed, for an error message. */
  outputTail(): string {
    return this.output.join('\n').trim();
  }

  private async waitUntilListening(child: ChildProcess, port: number): Promise<void> {
    let spawnError: Error | null = null;
    child.once('error', (error) => (spawnError = error));
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? SERVICE_READY_TIMEOUT_MS);
    while (Date.now() < deadline) {
      if (spawnError) {
        throw new Error(
          `${this.options.name}: cannot run ${this.options.command}: ${String(spawnError)}`,
        );
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${this.options.name} exited (${child.exitCode ?? child.signalCode}) before listening; its last lines:\n${this.outputTail()}`,
        );
      }
      if (await canConnect(port)) return;
      await sleep(200);
    }
    throw new Error(
      `${this.options.name} did not listen on port ${port} within ${Math.round((this.options.readyTimeoutMs ?? SERVICE_READY_TIMEOUT_MS) / 1000)} s; its last lines:\n${this.outputTail()}`,
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, 'localhost', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
