import { SIMULATION } from './defaults.js';
import type { ParisClock } from './paris-time.js';

const weekdaySum = SIMULATION.weekdayProfile.reduce((a, b) => a + b, 0);
const weekendSum = SIMULATION.weekendProfile.reduce((a, b) => a + b, 0);

/** Expected trip starts per minute, network-wide, at a Paris local time. */
export function tripsPerMinute(clock: ParisClock): number {
  const profile = clock.weekend ? SIMULATION.weekendProfile : SIMULATION.weekdayProfile;
  const perDay = clock.weekend ? SIMULATION.tripsPerWeekendDay : SIMULATION.tripsPerWeekday;
  const sum = clock.weekend ? weekendSum : weekdaySum;
  // Profile values sit at hour midpoints; interpolate so the rate has no steps on the hour.
  const position = (clock.hour - 0.5 + 24) % 24;
  const low = Math.floor(position);
  const high = (low + 1) % 24;
  const fraction = position - low;
  const weight = (profile[low] ?? 0) * (1 - fraction) + (profile[high] ?? 0) * fraction;
  return (perDay * weight) / sum / 60;
}

export type CommutePhase = 'morning' | 'evening' | 'none';

/** Weekday commuter peaks: mornings flow into the centre, evenings out of it. */
export function commutePhase(clock: ParisClock): CommutePhase {
  if (clock.weekend) return 'none';
  const [morningFrom, morningTo] = SIMULATION.morningCommute;
  const [eveningFrom, eveningTo] = SIMULATION.eveningCommute;
  if (clock.hour >= morningFrom && clock.hour < morningTo) return 'morning';
  if (clock.hour >= eveningFrom && clock.hour < eveningTo) return 'evening';
  return 'none';
}

export function inRebalancingWindow(clock: ParisClock): boolean {
  const [from, to] = SIMULATION.rebalancing;
  return clock.hour >= from && clock.hour < to;
}
