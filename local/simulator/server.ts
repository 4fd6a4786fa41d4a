import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { feedNames, renderFeed, type FeedFormat, type FeedName } from './feeds.js';
import { VelibModel } from './model.js';
import { checkTime, parseFormat, parsePort, parseSeed, parseSpeed } from './options.js';
import { loadStationList } from './station-list.js';

export interface SimulatorOptions {
  /** 0 picks a free port. @default 8090 */
  readonly port?: number;
  /** Loopback by default: the simulator is for one machine. @default '127.0.0.1' */
  readonly host?: string;
  /** @default 1 */
  readonly seed?: number;
  /** Simulated seconds per real second. @default 1 */
  readonly speed?: number;
  /** Simulated time at start-up. @default now */
  readonly start?: Date;
  /** @default 'velib' */
  readonly format?: FeedFormat;
  /** A station_information.json to build on. @default the committed Vélib copy */
  readonly stationsFile?: string;
  /** Real clock in epoch ms; tests pass their own. @default Date.now */
  readonly clock?: () => number;
}

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:8090; feeds are `${url}/station_status.json` etc. */
  readonly url: string;
  readonly model: VelibModel;
  /** Simulated time now (the model advances to it on the next request). */
  simulatedTime(): Date;
  close(): Promise<void>;
}

/** Vélib's own paths, so a FEED_URL copied from production works with only the host changed. */
const VELIB_PREFIX = '/opendata/Velib_Metropole';

/** Serves the simulated feeds over HTTP; the model advances lazily, on each request. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const port = parsePort(options.port ?? 8090);
  const seed = parseSeed(options.seed ?? 1);
  const speed = parseSpeed(options.speed ?? 1);
  const format = parseFormat(options.format ?? 'velib');
  const clock = options.clock ?? Date.now;
  const start = checkTime(options.start ?? new Date(clock()), 'start');
  const host = options.host ?? '127.0.0.1';

  const list = loadStationList(options.stationsFile);
  const model = new VelibModel({ stations: list.stations, seed, start });
  const realStart = clock();
  const simulatedMs = () => model.startMs + (clock() - realStart) * speed;
  const names = new Set<string>(feedNames(format));
  const cache = new Map<string, { timeMs: number; body: string }>();

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const path = new URL(request.url ?? '/', 'http://simulator').pathname;
    if (path === '/healthz') return send(response, 200, 'text/plain; charset=utf-8', 'ok\n');
    if (path === '/_simulator') {
      // Not part of any feed: the hidden truth (bikes in transit, counters) for checking by hand.
      const now = simulatedMs();
      if (now > model.timeMs) model.advanceTo(now);
      const state = {
        simulated_time: new Date(model.timeMs).toISOString(),
        seed,
        speed,
        format,
        stations: model.stationCount,
        totals: model.totals(),
        counters: model.stats(),
      };
      return send(response, 200, 'application/json; charset=utf-8', `${JSON.stringify(state)}\n`);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return sendError(response, 405, `${request.method} is not supported; use GET`);
    }
    const prefix = path.startsWith(`${VELIB_PREFIX}/`) ? VELIB_PREFIX : '';
    const match = /^\/([a-z_]+)\.json$/.exec(path.slice(prefix.length));
    const name = match?.[1];
    if (!name || !names.has(name)) {
      const known = [...names].map((feed) => `/${feed}.json`).join(', ');
      return sendError(response, 404, `no feed at ${path}; this simulator serves ${known}`);
    }
    const now = simulatedMs();
    if (now > model.timeMs) model.advanceTo(now);
    const baseUrl = `http://${request.headers.host ?? address}${prefix}`;
    const key = `${name} ${baseUrl}`;
    let cached = cache.get(key);
    if (!cached || cached.timeMs !== model.timeMs) {
      const body = renderFeed(model, name as FeedName, format, baseUrl) ?? '';
      cached = { timeMs: model.timeMs, body };
      cache.set(key, cached);
    }
    response.setHeader('x-simulated-time', new Date(model.timeMs).toISOString());
    send(
      response,
      200,
      'application/json; charset=utf-8',
      request.method === 'HEAD' ? undefined : cached.body,
    );
  };

  const server = createServer((request, response) => {
    try {
      handle(request, response);
    } catch (error) {
      sendError(response, 500, `simulator failure: ${(error as Error).message}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const address = `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;

  return {
    url: `http://${address}`,
    model,
    simulatedTime: () => new Date(Math.floor(simulatedMs())),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function send(response: ServerResponse, status: number, type: string, body?: string): void {
  response.statusCode = status;
  response.setHeader('content-type', type);
  response.setHeader('cache-control', 'no-store');
  if (body !== undefined) response.setHeader('content-length', Buffer.byteLength(body));
  response.end(body);
}

function sendError(response: ServerResponse, status: number, message: string): void {
  send(
    response,
    status,
    'application/json; charset=utf-8',
    `${JSON.stringify({ error: message })}\n`,
  );
}
