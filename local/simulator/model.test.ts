import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SIMULATION } from './defaults.js';
import { inRebalancingWindow } from './demand.js';
import { VelibModel } from './model.js';
import { parisClock } from './paris-time.js';
import { velibStationStatus } from './render-velib.js';
import { HOUR, MINUTE, MONDAY_0500Z, velibStations } from './testing/fixtures.js';

const { stations } = velibStations();
const model = (seed = 1, start = MONDAY_0500Z) => new VelibModel({ stations, seed, start });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const bikes = (m: VelibModel) =>
  stations.map((_, i) => {
    const s = m.stateOf(i);
    return s.mechanical + s.ebike;
  });

describe('VelibModel', () => {
  it('starts with the real feed’s quirks', () => {
    const m = model();
    const states = stations.map((_, i) => m.stateOf(i));
    const startS = MONDAY_0500Z / 1000;
    stations.forEach((station, i) => {
      const s = states[i]!;
      if (station.capacity === 0) {
        expect(s.mechanical + s.ebike + s.docks, station.stationCode).toBe(0);
        expect(s.renting || s.returning).toBe(false);
      }
      expect(s.lastReported).toBeLessThanOrEqual(startS);
    });
    const overCapacity = states.filter(
      (s, i) => s.mechanical + s.ebike + s.docks > stations[i]!.capacity,
    );
    const underCapacity = states.filter(
      (s, i) => s.installed && s.mechanical + s.ebike + s.docks < stations[i]!.capacity,
    );
    const silent = states.filter((s) => s.lastReported < startS - 86_400);
    const closed = states.filter((s, i) => s.installed && !s.renting && stations[i]!.capacity > 0);
    const uninstalled = states.filter((s) => !s.installed);
    expect(overCapacity.length).toBeGreaterThanOrEqual(3);
    expect(overCapacity.length).toBeLessThan(40);
    expect(underCapacity.length).toBeGreaterThan(500); // broken docks, as in 783 real stations
    expect(silent.length).toBeGreaterThanOrEqual(10);
    expect(silent.length).toBeLessThan(80);
    expect(closed.length).toBeGreaterThanOrEqual(5);
    expect(uninstalled.length).toBeGreaterThanOrEqual(3);
    const docked = states.reduce((sum, s) => sum + s.mechanical + s.ebike, 0);
    const ebikes = states.reduce((sum, s) => sum + s.ebike, 0);
    expect(docked).toBeGreaterThan(14_000);
    expect(docked).toBeLessThan(22_000);
    expect(ebikes / docked).toBeGreaterThan(0.3);
    expect(ebikes / docked).toBeLessThan(0.5);
  });

  it('changes availability from one simulated minute to the next', () => {
    const m = model();
    for (let minute = 1; minute <= 10; minute++) {
      const before = bikes(m);
      m.advanceTo(MONDAY_0500Z + minute * MINUTE);
      const changed = bikes(m).filter((b, i) => b !== before[i]).length;
      expect(changed, `minute ${minute}`).toBeGreaterThan(20);
    }
    expect(m.stats().tripsStarted).toBeGreaterThan(500);
  });

  it('conserves docked + in-transit bikes at every tick outside the rebalancing window', () => {
    const m = model();
    const initial = m.totals();
    let ticks = 0;
    // 07:00 → 23:00 Paris: peaks, redirects at full stations, outages, daytime trucks; no workshop.
    for (let t = m.timeMs; t < MONDAY_0500Z + 16 * HOUR; t += SIMULATION.tickSeconds * 1000) {
      m.advanceTo(t);
      expect(inRebalancingWindow(parisClock(t))).toBe(false);
      const totals = m.totals();
      expect(totals.docked + totals.inTransit).toBe(initial.docked + initial.inTransit);
      expect(totals.inWorkshop).toBe(initial.inWorkshop);
      ticks++;
    }
    expect(ticks).toBe(16 * 360);
    const stats = m.stats();
    expect(stats.tripsStarted).toBeGreaterThan(50_000);
    expect(stats.redirects).toBeGreaterThan(0);
    expect(stats.rebalancedBikes).toBeGreaterThan(0); // trucks move bikes, never create them
  });

  it('rebalances at night with trucks and the workshop, never creating or losing a bike', () => {
    const m = model(1, Date.parse('2025-10-20T21:00:00Z')); // 23:00 Paris
    const initial = m.totals();
    const workshop = new Set<number>();
    let movedOutsideWindow = false;
    for (let t = m.timeMs; t <= Date.parse('2025-10-21T05:00:00Z'); t += 5 * MINUTE) {
      const before = m.totals();
      m.advanceTo(t);
      const after = m.totals();
      expect(after.fleet).toBe(initial.fleet);
      workshop.add(after.inWorkshop);
      const window =
        inRebalancingWindow(parisClock(t)) || inRebalancingWindow(parisClock(t - 5 * MINUTE));
      if (!window && after.docked + after.inTransit !== before.docked + before.inTransit) {
        movedOutsideWindow = true;
      }
    }
    expect(movedOutsideWindow).toBe(false);
    expect(m.stats().rebalancedBikes).toBeGreaterThan(500);
    expect(workshop.size).toBeGreaterThan(1);
  });

  it('moves commuters into the centre on weekday mornings and out in the evening', () => {
    const central = stations.map(
      (s) => Math.hypot((s.lon - 2.347) * 73.3, (s.lat - 48.8584) * 110.57) < 2.5,
    );
    const m = model(7);
    const inCentre = () => bikes(m).reduce((sum, b, i) => sum + (central[i] ? b : 0), 0);
    const at7 = inCentre();
    m.advanceTo(Date.parse('2025-10-20T08:00:00Z')); // 10:00 Paris
    const at10 = inCentre();
    m.advanceTo(Date.parse('2025-10-20T14:30:00Z')); // 16:30 Paris
    const at1630 = inCentre();
    m.advanceTo(Date.parse('2025-10-20T17:30:00Z')); // 19:30 Paris
    const at1930 = inCentre();
    expect(at10).toBeGreaterThan(at7 * 1.1);
    expect(at1930).toBeLessThan(at1630);
  });

  it('freezes stations that stop reporting: last_reported and counts stay put', () => {
    const m = model();
    const startS = MONDAY_0500Z / 1000;
    const silent = stations
      .map((_, i) => i)
      .filter((i) => m.stateOf(i).lastReported < startS - 86_400);
    const before = silent.map((i) => m.stateOf(i));
    m.advanceTo(MONDAY_0500Z + 3 * HOUR);
    expect(silent.map((i) => m.stateOf(i))).toEqual(before);
    const reporting = stations.map((_, i) => m.stateOf(i)).filter((s) => s.lastReported >= startS);
    expect(reporting.length).toBeGreaterThan(1400);
  });

  it('is deterministic: same seed and start, same bytes, however time is stepped', () => {
    const a = model(42);
    const b = model(42);
    const c = model(43);
    const end = MONDAY_0500Z + 30 * MINUTE;
    a.advanceTo(end);
    for (let t = MONDAY_0500Z; t < end; t += 7_000) b.advanceTo(t); // uneven steps
    b.advanceTo(end);
    c.advanceTo(end);
    // Compared as digests so a failure does not print 450 kB of JSON.
    expect(sha256(velibStationStatus(b))).toBe(sha256(velibStationStatus(a)));
    expect(b.stats()).toEqual(a.stats());
    expect(sha256(velibStationStatus(c))).not.toBe(sha256(velibStationStatus(a)));
  });

  it('advances in whole ticks and refuses to go back in time', () => {
    const m = model();
    m.advanceTo(MONDAY_0500Z + 25_000);
    expect(m.timeMs).toBe(MONDAY_0500Z + 20_000);
    expect(() => m.advanceTo(MONDAY_0500Z)).toThrow(/is before the model's time/);
    expect(() => m.advanceTo(Number.NaN)).toThrow(TypeError);
  });

  it('validates its options', () => {
    expect(() => new VelibModel({ stations: [], seed: 1, start: 0 })).toThrow(/stations/);
    expect(() => new VelibModel({ stations, seed: 1.5, start: 0 })).toThrow(/seed/);
    expect(() => new VelibModel({ stations, seed: 1, start: new Date('x') })).toThrow(/start/);
  });

  it('runs on a tiny network without neighbours to ride to', () => {
    const one = [{ ...stations[0]!, capacity: 10 }];
    const m = new VelibModel({ stations: one, seed: 1, start: MONDAY_0500Z });
    const before = m.totals();
    m.advanceTo(MONDAY_0500Z + HOUR);
    expect(m.totals().fleet).toBe(before.fleet);
  });
});
