import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import path from 'node:path';
import { startSimulator } from '../simulator/index.js';
import type { SimClock } from '../scheduler/clock.js';

/** The real Vélib' open-data feeds (when there is network). */
export const LIVE_FEED_BASE =
  'https://velib-metropole-opendata.smovengo.cloud/opendata/Velib_Metropole';

export interface RunningFeed {
  /** `sim`, `live` or the recorded directory. */
  readonly kind: string;
  /** Feeds are `${baseUrl}/station_status.json` and `${baseUrl}/station_information.json`. */
  readonly baseUrl: string;
  /** The port this stack serves the feed on (none for live). */
  readonly port: number | null;
  describe(): string;
  close(): Promise<void>;
}

/** A recorded folder's files, in name order: information (if any), then the status snapshots. */
export function recordedFiles(dir: string): { information: string | null; status: string[] } {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir).sort();
  } catch {
    throw new Error(
      `--feed ${dir}: not a directory of recorded feed files (sim, live or a folder)`,
    );
  }
  const json = names.filter((n) => n.endsWith('.json'));
  const information = json.find((n) => n.includes('station_information')) ?? null;
  const status = json.filter((n) => n.includes('station_status'));
  if (status.length === 0) {
    throw new Error(`--feed ${dir}: no station_status*.json files in it`);
  }
  return {
    information: information ? path.join(dir, information) : null,
    status: status.map((n) => path.join(dir, n)),
  };
}

/**
 * A tiny file server over a recording: each GET of /station_status.json returns the next snapshot
 * file in name order (503 once all were served); /station_information.json the recorded one.
 */
async function startRecordedFeed(dir: string, port: number): Promise<RunningFeed> {
  const files = recordedFiles(dir);
  let next = 0;
  const server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://feed').pathname.split('/').pop();
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(body);
    };
    if (name === 'healthz') return send(200, '"ok"');
    if (name === 'station_status.json') {
      const file = files.status[next];
      if (!file) {
        return send(
          503,
          JSON.stringify({
            error: `recording exhausted: all ${files.status.length} snapshots served`,
          }),
        );
      }
      next += 1;
      return send(200, readFileSync(file, 'utf8'));
    }
    if (name === 'station_information.json' && files.information) {
      return send(200, readFileSync(files.information, 'utf8'));
    }
    return send(404, JSON.stringify({ error: `no feed at ${req.url}` }));
  });
  await listen(server, port, '--simulator-port');
  const bound = (server.address() as AddressInfo).port;
  return {
    kind: dir,
    baseUrl: `http://127.0.0.1:${bound}`,
    port: bound,
    describe: () => `recording ${dir}: ${next}/${files.status.length} snapshots served`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Listens, turning EADDRINUSE into a message naming the port and the flag that changes it. */
export function listen(
  server: Server,
  port: number,
  flag: string,
  host = '127.0.0.1',
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? portInUse(port, flag) : error),
    );
    server.listen(port, host, () => resolve());
  });
}

export function portInUse(port: number, flag: string): Error {
  return new Error(
    `port ${port} is already in use: stop what holds it or pick another with ${flag} <port>`,
  );
}

export async function startFeed(options: {
  feed: string;
  port: number;
  seed: number;
  clock: SimClock;
}): Promise<RunningFeed> {
  if (options.feed === 'live') {
    return {
      kind: 'live',
      baseUrl: LIVE_FEED_BASE,
      port: null,
      describe: () => 'live Vélib open data',
      close: async () => undefined,
    };
  }
  if (options.feed !== 'sim') return startRecordedFeed(options.feed, options.port);
  let simulator;
  try {
    simulator = await startSimulator({
      port: options.port,
      seed: options.seed,
      speed: options.clock.speed,
      start: new Date(options.clock.now()),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw portInUse(options.port, '--simulator-port');
    }
    throw error;
  }
  const sim = simulator;
  return {
    kind: 'sim',
    baseUrl: sim.url,
    port: Number(new URL(sim.url).port),
    describe: () =>
      `simulator, seed ${options.seed}, ${options.clock.speed}× — ${sim
        .simulatedTime()
        .toISOString()
        .slice(0, 16)
        .replace('T', ' ')} UTC`,
    close: () => sim.close(),
  };
}
