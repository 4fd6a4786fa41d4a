import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

/** What the request handlers share: the model, its settings, the real clock and rendered feeds. */
interface Simulation {
  readonly model: VelibModel;
  readonly seed: number;
  readonly speed: number;
  readonly format: FeedFormat;
  readonly clock: () => number;
  /** The real clock at start-up, in epoch ms. */
  readonly realStart: number;
  readonly feeds: ReadonlySet<string>;
  /** The last body of each feed per base URL, with the model time it was rendered at. */
  readonly cache: Map<string, { timeMs: number; body: string }>;
  /** host:port once listening; the base URL of a request without a Host header. */
  address: string;
}

/** Serves the simulated feeds over HTTP; the model advances lazily, on each request. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const port = parsePort(options.port ?? 8090);
  const sim = newSimulation(options);
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    try {
      handleRequest(sim, request, response);
    } catch (error) {
      sendError(response, 500, `simulator failure: ${(error as Error).message}`);
    }
  });
  sim.address = await listen(server, port, host);
  return {
    url: `http://${sim.address}`,
    model: sim.model,
    simulatedTime: () => new Date(Math.floor(simulatedMs(sim))),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function newSimulation(options: SimulatorOptions): Simulation {
  const seed = parseSeed(options.seed ?? 1);
  const speed = parseSpeed(options.speed ?? 1);
  const format = parseFormat(options.format ?? 'velib');
  const clock = options.clock ?? Date.now;
  const start = checkTime(options.start ?? new Date(clock()), 'start');
  const list = loadStationList(options.stationsFile);
  const model = new VelibModel({ stations: list.stations, seed, start });
  return {
    model,
    seed,
    speed,
    format,
    clock,
    realStart: clock(),
    feeds: new Set<string>(feedNames(format)),
    cache: new Map(),
    address: '',
  };
}

/** Listens on `port` (0: a free one) and answers host:port as bound. */
async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
}

function simulatedMs(sim: Simulation): number {
  return sim.model.startMs + (sim.clock() - sim.realStart) * sim.speed;
}

/** Brings the model up to the simulated time now (it never goes back). */
function catchUp(sim: Simulation): void {
  const now = simulatedMs(sim);
  if (now > sim.model.timeMs) sim.model.advanceTo(now);
}

function handleRequest(sim: Simulation, request: IncomingMessage, response: ServerResponse): void {
  const path = new URL(request.url ?? '/', 'http://simulator').pathname;
  if (path === '/healthz') return send(response, 200, 'text/plain; charset=utf-8', 'ok\n');
  if (path === '/_simulator') return sendState(sim, response);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return sendError(response, 405, `${request.method} is not supported; use GET`);
  }
  const prefix = path.startsWith(`${VELIB_PREFIX}/`) ? VELIB_PREFIX : '';
  const match = /^\/([a-z_]+)\.json$/.exec(path.slice(prefix.length));
  const name = match?.[1];
  if (!name || !sim.feeds.has(name)) {
    const known = [...sim.feeds].map((feed) => `/${feed}.json`).join(', ');
    return sendError(response, 404, `no feed at ${path}; this simulator serves ${known}`);
  }
  catchUp(sim);
  const baseUrl = `http://${request.headers.host ?? sim.address}${prefix}`;
  const body = renderCached(sim, name as FeedName, baseUrl);
  response.setHeader('x-simulated-time', new Date(sim.model.timeMs).toISOString());
  send(
    response,
    200,
    'application/json; charset=utf-8',
    request.method === 'HEAD' ? undefined : body,
  );
}

/** Not part of any feed: the hidden truth (bikes in transit, counters) for checking by hand. */
function sendState(sim: Simulation, response: ServerResponse): void {
  catchUp(sim);
  const { model } = sim;
  const state = {
    simulated_time: new Date(model.timeMs).toISOString(),
    seed: sim.seed,
    speed: sim.speed,
    format: sim.format,
    stations: model.stationCount,
    totals: model.totals(),
    counters: model.stats(),
  };
  send(response, 200, 'application/json; charset=utf-8', `${JSON.stringify(state)}\n`);
}

/** A feed renders once per model tick and base URL, however often it is polled. */
function renderCached(sim: Simulation, name: FeedName, baseUrl: string): string {
  const key = `${name} ${baseUrl}`;
  let cached = sim.cache.get(key);
  if (!cached || cached.timeMs !== sim.model.timeMs) {
    const body = renderFeed(sim.model, name, sim.format, baseUrl) ?? '';
    cached = { timeMs: sim.model.timeMs, body };
    sim.cache.set(key, cached);
  }
  return cached.body;
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
