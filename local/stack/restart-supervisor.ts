import type { Logger } from '../../runtime/logger.js';
import { RestartPolicy, type RestartPolicyOptions } from './restart-policy.js';

/** One life of a supervised component: the thing itself and the promise of its end. */
export interface Incarnation<T> {
  readonly instance: T;
  /** Resolves when it ends, with a line saying why (its last error, or the signal that killed it). */
  readonly ended: Promise<string>;
}

/** Timers and time, injectable so tests drive restarts without sleeping. */
export interface SupervisorClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const REAL_CLOCK: SupervisorClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SupervisorOptions<T> {
  /** For logs. */
  readonly name: string;
  /** Starts one incarnation; a rejection is a crash (its message becomes the last error). */
  readonly start: () => Promise<Incarnation<T>>;
  /** Stops an incarnation on purpose; its end then does not count as a crash. */
  readonly stop: (instance: T) => Promise<void>;
  readonly policy?: RestartPolicyOptions;
  /** Once aborted, nothing is restarted any more (the stack is shutting down). */
  readonly stopRestarts?: AbortSignal;
  readonly log: Logger;
  /** @default real time */
  readonly clock?: SupervisorClock;
  /** Called with each incarnation once it is up (the first one included). */
  readonly onStarted?: (instance: T) => void;
  /** Called when an incarnation ended on its own, before the restart is scheduled. */
  readonly onCrashed?: (instance: T | undefined) => void;
}

export type SupervisedPhase = 'running' | 'restarting' | 'crash-looping' | 'stopped';

export interface Supervised<T> {
  /** The incarnation that is up, if one is. */
  current(): T | undefined;
  phase(): SupervisedPhase;
  /** Restarts tried so far (a start that failed counts too). */
  restarts(): number;
  /** Why the last incarnation ended; null before any crash. */
  lastError(): string | null;
  /** Stops the incarnation that is up (or starting) and cancels any restart. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Keeps a component alive: starts it, and each time it ends on its own starts it again after the
 * policy's backoff. The first start is the caller's to fail (a stack whose service cannot start
 * at all should say so at once); later failed starts are crashes like any other.
 */
export async function supervise<T>(options: SupervisorOptions<T>): Promise<Supervised<T>> {
  const clock = options.clock ?? REAL_CLOCK;
  const policy = new RestartPolicy(options.policy);
  const log = options.log.child({ component: options.name });
  let current: T | undefined;
  let restarts = 0;
  let lastError: string | null = null;
  let stopped = false;
  let timer: unknown;
  let starting: Promise<void> | undefined;

  const restartsHeld = () => stopped || options.stopRestarts?.aborted === true;

  const adopt = (incarnation: Incarnation<T>) => {
    current = incarnation.instance;
    policy.started(clock.now());
    options.onStarted?.(incarnation.instance);
    void incarnation.ended.then((reason) => {
      if (current !== incarnation.instance || restartsHeld()) return;
      current = undefined;
      options.onCrashed?.(incarnation.instance);
      crashed(reason);
    });
  };

  const crashed = (reason: string) => {
    lastError = reason;
    if (restartsHeld()) return;
    const { delayMs, crashLooping } = policy.crashed(clock.now());
    const fields = { restarts, delayMs, lastError: reason };
    if (crashLooping) log.error(fields, 'crash-looping: restarting at the longest backoff');
    else log.error(fields, 'exited unexpectedly: restarting after backoff');
    timer = clock.setTimeout(() => {
      timer = undefined;
      starting = restart();
    }, delayMs);
  };

  const restart = async () => {
    if (restartsHeld()) return;
    restarts += 1;
    try {
      const incarnation = await options.start();
      if (restartsHeld()) {
        await options.stop(incarnation.instance);
        return;
      }
      log.info({ restarts }, 'restarted');
      adopt(incarnation);
    } catch (error) {
      crashed(error instanceof Error ? error.message : String(error));
    }
  };

  adopt(await options.start());
  const stopRestarts = () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  };
  options.stopRestarts?.addEventListener('abort', stopRestarts, { once: true });

  return {
    current: () => current,
    phase: () => {
      if (stopped) return 'stopped';
      if (policy.crashLooping(clock.now())) return 'crash-looping';
      return current === undefined ? 'restarting' : 'running';
    },
    restarts: () => restarts,
    lastError: () => lastError,
    stop: async () => {
      stopped = true;
      stopRestarts();
      await starting;
      const instance = current;
      current = undefined;
      if (instance !== undefined) await options.stop(instance);
    },
  };
}

/** `restarts 3, last: <line>` for status tables; empty before the first restart. */
export function describeRestarts(supervised: Pick<Supervised<unknown>, 'restarts' | 'lastError'>) {
  const restarts = supervised.restarts();
  if (restarts === 0 && supervised.lastError() === null) return '';
  return `restarts ${restarts}, last: ${supervised.lastError() ?? 'none'}`;
}
