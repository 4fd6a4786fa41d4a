import type { Logger } from '../../runtime/logger.js';
import { startChildService, type ChildService } from './child-service.js';
import type { RestartPolicyOptions } from './restart-policy.js';
import {
  describeRestarts,
  supervise,
  type Incarnation,
  type SupervisorClock,
} from './restart-supervisor.js';

type ChildServiceOptions = Parameters<typeof startChildService>[0];

export interface SupervisedServiceOptions extends Omit<ChildServiceOptions, 'onExit'> {
  readonly log: Logger;
  readonly policy?: RestartPolicyOptions;
  /** Once aborted, a service that dies stays down (the stack is shutting down). */
  readonly stopRestarts?: AbortSignal;
  readonly clock?: SupervisorClock;
}

/** A service process that Cloud Run-style comes back after it dies, on the same port. */
export interface SupervisedService extends ChildService {
  /** The process id now (a restart changes it). */
  readonly pid: number;
  /** running | restarting | crash-looping | stopped */
  status(): string;
  restarts(): number;
  lastError(): string | null;
  /** `pid 123` plus `restarts 3, last: <line>` once it has crashed. */
  detail(): string;
}

/** `exit code 1: <its last error line>`, `killed by SIGKILL`: why a process ended. */
export function describeExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  lastError: string,
): string {
  const how = signal ? `killed by ${signal}` : `exit code ${code}`;
  return lastError ? `${how}: ${lastError}` : how;
}

/**
 * {@link startChildService} under a restart policy: when the process dies without being asked to
 * (`kill -9`, an uncaught error, exit 0 even), it is started again after the policy's backoff with
 * the same environment and the port the first start got, so push endpoints and the scheduler keep
 * addressing it. The first start throws as `startChildService` does.
 */
export async function startSupervisedService(
  options: SupervisedServiceOptions,
): Promise<SupervisedService> {
  const { log, policy, stopRestarts, clock, ...childOptions } = options;
  let port: number | undefined;
  const startOnce = async (): Promise<Incarnation<ChildService>> => {
    let reportEnd!: (reason: string) => void;
    const ended = new Promise<string>((resolve) => (reportEnd = resolve));
    const env = port === undefined ? childOptions.env : { ...childOptions.env, PORT: String(port) };
    const child = await startChildService({
      ...childOptions,
      env,
      onExit: (code, signal, lastError) => reportEnd(describeExit(code, signal, lastError)),
    });
    port ??= child.port;
    return { instance: child, ended };
  };
  const supervised = await supervise({
    name: options.name,
    start: startOnce,
    stop: (child) => child.stop(),
    policy,
    stopRestarts,
    log,
    clock,
  });
  const first = supervised.current()!;
  return {
    name: options.name,
    port: first.port,
    url: first.url,
    get pid() {
      return supervised.current()?.pid ?? 0;
    },
    status: () => supervised.phase(),
    restarts: () => supervised.restarts(),
    lastError: () => supervised.lastError(),
    detail: () => {
      const pid = supervised.current()?.pid;
      return [pid === undefined ? 'down' : `pid ${pid}`, describeRestarts(supervised)]
        .filter((part) => part !== '')
        .join('; ');
    },
    stop: () => supervised.stop(),
  };
}
