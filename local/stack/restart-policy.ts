/** How the local stack restarts a component that died on its own (a service process, the runner). */
export interface RestartPolicyOptions {
  /** Wait before the first restart; each further crash in a row doubles it. @default 500 */
  readonly initialDelayMs?: number;
  /** The longest wait, and the wait of every restart while crash-looping. @default 30 000 */
  readonly maxDelayMs?: number;
  /** Up this long, a component counts as healthy again: backoff and crash loop are forgotten. @default 60 000 */
  readonly stableUptimeMs?: number;
  /** This many crashes inside `crashLoopWindowMs` make a crash loop. @default 5 */
  readonly crashLoopCrashes?: number;
  /** @default 60 000 */
  readonly crashLoopWindowMs?: number;
}

/** Every default of the restart policy, in one place. */
export const RESTART_POLICY_DEFAULTS: Required<RestartPolicyOptions> = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  stableUptimeMs: 60_000,
  crashLoopCrashes: 5,
  crashLoopWindowMs: 60_000,
};

export interface RestartDecision {
  /** How long to wait before starting it again. */
  readonly delayMs: number;
  /** Crashed `crashLoopCrashes` times inside the window (and not stable since). */
  readonly crashLooping: boolean;
}

/**
 * Exponential backoff with crash-loop detection, as Cloud Run and Kubernetes restart containers,
 * as a pure state machine: the caller passes the time of each event, so tests drive it with
 * numbers instead of sleeping. A crash loop is sticky: once detected, every restart waits the
 * longest delay until the component has stayed up `stableUptimeMs`, so a component that dies at
 * once every time never spins.
 */
export class RestartPolicy {
  private readonly options: Required<RestartPolicyOptions>;
  private crashesInARow = 0;
  private recentCrashesMs: number[] = [];
  private looping = false;
  private startedAtMs: number | undefined;

  constructor(options: RestartPolicyOptions = {}) {
    this.options = { ...RESTART_POLICY_DEFAULTS, ...options };
    for (const [key, value] of Object.entries(this.options)) {
      if (!Number.isFinite(value) || value <= 0) {
        throw new TypeError(`${key}: must be a number above 0, not ${value}`);
      }
    }
    if (this.options.maxDelayMs < this.options.initialDelayMs) {
      throw new TypeError('maxDelayMs: must not be below initialDelayMs');
    }
  }

  /** The component is up (it listens, or its thread reported started). */
  started(nowMs: number): void {
    this.startedAtMs = nowMs;
  }

  /** The component died on its own (or failed to start): how long to wait before the next try. */
  crashed(nowMs: number): RestartDecision {
    this.forgetIfStable(nowMs);
    this.startedAtMs = undefined;
    this.crashesInARow += 1;
    const windowStart = nowMs - this.options.crashLoopWindowMs;
    this.recentCrashesMs = [...this.recentCrashesMs.filter((t) => t > windowStart), nowMs];
    if (this.recentCrashesMs.length >= this.options.crashLoopCrashes) this.looping = true;
    const backoff = this.options.initialDelayMs * 2 ** (this.crashesInARow - 1);
    const delayMs = this.looping
      ? this.options.maxDelayMs
      : Math.min(this.options.maxDelayMs, backoff);
    return { delayMs, crashLooping: this.looping };
  }

  /** Whether it is in a crash loop now (false again once it has stayed up `stableUptimeMs`). */
  crashLooping(nowMs: number): boolean {
    this.forgetIfStable(nowMs);
    return this.looping;
  }

  private forgetIfStable(nowMs: number): void {
    if (this.startedAtMs === undefined) return;
    if (nowMs - this.startedAtMs < this.options.stableUptimeMs) return;
    this.crashesInARow = 0;
    this.recentCrashesMs = [];
    this.looping = false;
  }
}
