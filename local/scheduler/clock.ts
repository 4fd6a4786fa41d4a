/**
 * Simulated time: starts at `start` and runs `speed` times faster than the real clock. The whole
 * stack (feed simulator, scheduler) reads the same one, so "every minute" means every simulated
 * minute.
 */
export interface SimClock {
  readonly speed: number;
  /** Simulated epoch ms now. */
  now(): number;
  /** Real milliseconds until simulated time reaches `simMs` (0 if passed). */
  realDelayUntil(simMs: number): number;
}

export function createSimClock(
  options: { speed?: number; start?: Date; realNow?: () => number } = {},
): SimClock {
  const realNow = options.realNow ?? Date.now;
  const speed = options.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new TypeError(`speed must be > 0: ${speed}`);
  const realStart = realNow();
  const simStart = options.start?.getTime() ?? realStart;
  const now = () => simStart + (realNow() - realStart) * speed;
  return {
    speed,
    now,
    realDelayUntil: (simMs) => Math.max(0, (simMs - now()) / speed),
  };
}
