import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type RunningStack } from './stack.js';
import {
  allListeningSockets,
  isLoopbackAddress,
  listeningSocketsOf,
} from './testing/listening-sockets.js';

// The stack as `npm start` runs it (every service a process of its own, configured from
// clusters/local), on ephemeral ports, without the scheduler or the first collection: what is
// checked here is what listens where and who may call it, not the data path.

let stack: RunningStack;

beforeAll(async () => {
  stack = await startLocalStack({
    dataDir: null,
    scheduler: false,
    collectAtStart: false,
    ports: { pubsub: 0, pubsubAdmin: 0, bigquery: 0, dashboard: 0, simulator: 0, control: 0 },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const portOf = (url: string) => Number(new URL(url.includes('://') ? url : `http://${url}`).port);

describe('npm start listens on loopback only', () => {
  it('no listening socket of a service process is bound beyond loopback', () => {
    const processes = stack.serviceProcesses();
    expect(processes.map((p) => p.name).sort()).toEqual([
      'pmp-bq-writer',
      'pmp-dashboard',
      'pmp-data-quality',
      'pmp-velib-collector',
      'pmp-velib-station-info-collector',
      'pmp-velib-station-info-writer',
    ]);
    for (const service of processes) {
      const sockets = listeningSocketsOf(service.pid);
      // Not vacuous: the port the stack reports is among what this process listens on.
      expect(
        sockets.map((s) => s.port),
        service.name,
      ).toContain(service.port);
      const exposed = sockets.filter((s) => !isLoopbackAddress(s.address));
      expect(exposed, `${service.name} (pid ${service.pid})`).toEqual([]);
    }
  });

  it('the emulators, the feed and the control endpoint listen on loopback only', () => {
    const ports = {
      pubsub: portOf(stack.env.PUBSUB_EMULATOR_HOST),
      pubsubAdmin: portOf(stack.emulators.pubsub!.adminUrl),
      bigquery: portOf(stack.env.BIGQUERY_EMULATOR_HOST),
      feed: stack.feed.port!,
      control: portOf(stack.controlUrl),
    };
    const sockets = allListeningSockets();
    for (const [what, port] of Object.entries(ports)) {
      const onPort = sockets.filter((s) => s.port === port);
      expect(onPort.length, what).toBeGreaterThan(0);
      expect(
        onPort.filter((s) => !isLoopbackAddress(s.address)),
        `${what} on ${port}`,
      ).toEqual([]);
    }
  });
});

describe('push and trigger endpoints answer 401 without a valid OIDC token', () => {
  // Cloud Run names the audiences in clusters/local: the writers' PUSH_AUDIENCE, the scheduler
  // jobs' oidcToken.audience.
  const endpoints = [
    { service: 'pmp-bq-writer', path: '/pubsub', methods: ['POST'] },
    { service: 'pmp-velib-station-info-writer', path: '/pubsub', methods: ['POST'] },
    { service: 'pmp-velib-collector', path: '/collect', methods: ['GET', 'POST'] },
    { service: 'pmp-velib-station-info-collector', path: '/collect', methods: ['GET', 'POST'] },
  ].flatMap((e) => e.methods.map((method) => ({ ...e, method })));
  const email = 'pmp-scheduler-invoker@pmp-local.iam.gserviceaccount.com';
  const call = (
    endpoint: (typeof endpoints)[number],
    init: { authorization?: string; body?: string } = {},
  ) =>
    fetch(`${stack.serviceUrls[endpoint.service]}${endpoint.path}`, {
      method: endpoint.method,
      headers: {
        'content-type': 'application/json',
        ...(init.authorization ? { authorization: init.authorization } : {}),
      },
      body: init.body,
    });

  it.each(endpoints)('$method $path of $service', async (endpoint) => {
    const cases: Record<string, () => Promise<Response>> = {
      'no token': () => call(endpoint),
      'a malformed token': () => call(endpoint, { authorization: 'Bearer not-a-jwt' }),
      'a signed token for another audience': async () =>
        call(endpoint, {
          authorization: `Bearer ${await stack.emulators.pubsub!.mintIdToken({
            audience: 'http://pmp-someone-else:8080',
            email,
          })}`,
        }),
      ...(endpoint.method === 'POST'
        ? { 'a 3 MB body without a token': () => call(endpoint, { body: ' '.repeat(3 << 20) }) }
        : {}),
    };
    for (const [what, send] of Object.entries(cases)) {
      const response = await send();
      await response.arrayBuffer();
      expect(response.status, what).toBe(401);
      expect(response.headers.get('www-authenticate'), what).toBe('Bearer');
    }
    // The right token gets past the check, so the 401s above are about the token.
    const token = await stack.emulators.pubsub!.mintIdToken({
      audience: `http://${endpoint.service}:8080`,
      email,
    });
    const accepted = await call(endpoint, { authorization: `Bearer ${token}`, body: undefined });
    await accepted.arrayBuffer();
    expect(accepted.status).not.toBe(401);
  });
});
