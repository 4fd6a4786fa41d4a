import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from './server.js';
import { MINUTE, MONDAY_0500Z } from './testing/fixtures.js';

type Station = {
  station_id: number;
  num_bikes_available: number;
  num_docks_available: number;
};
type VelibDoc = { lastUpdatedOther: number; data: { stations: Station[] } };

/** A hand-driven real-time clock, so tests move simulated time without sleeping. */
function manualClock(startMs = 1_000_000) {
  let now = startMs;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const running: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

async function start(options: Parameters<typeof startSimulator>[0]) {
  const sim = await startSimulator({ port: 0, start: new Date(MONDAY_0500Z), ...options });
  running.push(sim);
  return sim;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return (await response.json()) as T;
}

describe('startSimulator', () => {
  it('serves 1,495 stations over HTTP whose availability changes minute to minute, bikes conserved', async () => {
    const clock = manualClock();
    const sim = await start({ seed: 1, speed: 60, clock: clock.now });
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const docked = (doc: VelibDoc) =>
      doc.data.stations.reduce((sum, s) => sum + s.num_bikes_available, 0);

    const first = await getJson<VelibDoc>(`${sim.url}/station_status.json`);
    expect(first.data.stations).toHaveLength(1495);
    expect(first.lastUpdatedOther).toBe(MONDAY_0500Z / 1000);
    const total = docked(first) + sim.model.totals().inTransit;

    let previous = first;
    for (let minute = 1; minute <= 5; minute++) {
      clock.advance(1000); // one real second at ×60 is one simulated minute
      const next = await getJson<VelibDoc>(`${sim.url}/station_status.json`);
      expect(next.lastUpdatedOther).toBe(MONDAY_0500Z / 1000 + minute * 60);
      const changed = next.data.stations.filter(
        (s, i) => s.num_bikes_available !== previous.data.stations[i]!.num_bikes_available,
      );
      expect(changed.length).toBeGreaterThan(20);
      expect(docked(next) + sim.model.totals().inTransit).toBe(total);
      previous = next;
    }
    expect(sim.simulatedTime().toISOString()).toBe(
      new Date(MONDAY_0500Z + 5 * MINUTE).toISOString(),
    );
  });

  it('answers with the same bytes for the same seed and time', async () => {
    const a = await start({ seed: 9, clock: manualClock().now });
    const b = await start({ seed: 9, clock: manualClock().now });
    const [textA, textB] = await Promise.all(
      [a, b].map(async (sim) => (await fetch(`${sim.url}/station_status.json`)).text()),
    );
    expect(textA?.length).toBeGreaterThan(400_000);
    expect(textA === textB).toBe(true);
  });

  it('serves every feed listed in gbfs.json, also under Vélib’s own path prefix', async () => {
    const sim = await start({ format: '2.3', clock: manualClock().now });
    const discovery = await getJson<{ data: { en: { feeds: { name: string; url: string }[] } } }>(
      `${sim.url}/gbfs.json`,
    );
    const feeds = discovery.data.en.feeds;
    expect(feeds.map((f) => f.name)).toContain('vehicle_types');
    for (const feed of feeds) {
      expect(feed.url.startsWith(sim.url)).toBe(true);
      const doc = await getJson<{ version: string }>(feed.url);
      expect(doc.version).toBe('2.3');
    }
    const prefixed = await getJson<{ data: { en: { feeds: { url: string }[] } } }>(
      `${sim.url}/opendata/Velib_Metropole/gbfs.json`,
    );
    expect(prefixed.data.en.feeds[0]!.url).toBe(`${sim.url}/opendata/Velib_Metropole/gbfs.json`);
  });

  it('says plainly what it does not serve', async () => {
    const sim = await start({ clock: manualClock().now });
    const missing = await fetch(`${sim.url}/vehicle_types.json`); // not part of Vélib's feed
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: expect.stringMatching(/no feed at \/vehicle_types\.json/),
    });
    const post = await fetch(`${sim.url}/station_status.json`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${sim.url}/station_status.json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-simulated-time')).toBe(new Date(MONDAY_0500Z).toISOString());
    expect((await fetch(`${sim.url}/healthz`)).status).toBe(200);
  });

  it('shows the hidden state (bikes in transit, counters) at /_simulator', async () => {
    const clock = manualClock();
    const sim = await start({ seed: 5, speed: 60, clock: clock.now });
    const before = await getJson<{ totals: { docked: number; inTransit: number; fleet: number } }>(
      `${sim.url}/_simulator`,
    );
    clock.advance(10_000);
    const status = await getJson<VelibDoc>(`${sim.url}/station_status.json`);
    const after = await getJson<{
      simulated_time: string;
      seed: number;
      totals: { docked: number; inTransit: number; fleet: number };
      counters: { tripsStarted: number };
    }>(`${sim.url}/_simulator`);
    expect(after).toMatchObject({ seed: 5, simulated_time: '2025-10-20T05:10:00.000Z' });
    expect(after.totals.docked).toBe(
      status.data.stations.reduce((sum, s) => sum + s.num_bikes_available, 0),
    );
    expect(after.totals.docked + after.totals.inTransit).toBe(
      before.totals.docked + before.totals.inTransit,
    );
    expect(after.counters.tripsStarted).toBeGreaterThan(0);
  });

  it('builds on another station list given as a file (standard GBFS ids stay strings)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pmp-sim-stations-'));
    const file = join(dir, 'stations.json');
    const station = (id: string, lat: number) => ({
      station_id: id,
      name: id,
      lat,
      lon: 2.35,
      capacity: 20,
    });
    await writeFile(
      file,
      JSON.stringify({
        data: { stations: [station('a', 48.85), station('b', 48.86), station('c', 48.87)] },
      }),
    );
    try {
      const sim = await start({ stationsFile: file, clock: manualClock().now });
      const doc = await getJson<{
        data: { stations: { station_id: unknown; stationCode: unknown }[] };
      }>(`${sim.url}/station_status.json`);
      expect(doc.data.stations.map((s) => [s.station_id, s.stationCode])).toEqual([
        ['a', 'a'],
        ['b', 'b'],
        ['c', 'c'],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never moves the model back when a caller stepped it ahead of the clock', async () => {
    const sim = await start({ clock: manualClock().now });
    sim.model.advanceTo(MONDAY_0500Z + 10 * MINUTE);
    const doc = await getJson<VelibDoc>(`${sim.url}/station_status.json`);
    expect(doc.lastUpdatedOther).toBe(MONDAY_0500Z / 1000 + 600);
  });

  it('rejects bad options with a message naming them', async () => {
    await expect(startSimulator({ port: 70_000 })).rejects.toThrow(/port: "70000" is not a port/);
    await expect(startSimulator({ speed: 0 })).rejects.toThrow(/speed/);
    await expect(startSimulator({ seed: -1 })).rejects.toThrow(/seed/);
    await expect(startSimulator({ start: new Date('2015-06-01T00:00:00Z') })).rejects.toThrow(
      /start: 2015-06-01T00:00:00.000Z is before 2016-01-01/,
    );
    await expect(startSimulator({ format: '9' as '2.3' })).rejects.toThrow(
      /format: "9" is not a feed format \(one of: velib, 2\.3\)/,
    );
    await expect(startSimulator({ port: 0, stationsFile: '/nonexistent.json' })).rejects.toThrow(
      /cannot read station list/,
    );
  });

  it('reports a port that is already taken', async () => {
    const sim = await start({ clock: manualClock().now });
    const port = Number(new URL(sim.url).port);
    await expect(startSimulator({ port })).rejects.toThrow(/EADDRINUSE/);
  });
});
