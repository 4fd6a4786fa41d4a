import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Subscription, Topic } from '@google-cloud/pubsub';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually, startStack, type Stack } from '../testing/e2e-harness.js';
import { silentLogger } from '../../runtime/logger.js';
import { listen, type Listening } from '../testing/service-fixtures.js';
import { createApp } from './app.js';
import type { CollectSettings } from './collect.js';

type Script = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

const NOW = new Date('2026-03-01T08:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

function statusDoc(lastUpdatedOther: number, stations = 3) {
  return {
    lastUpdatedOther,
    ttl: 60,
    data: {
      stations: Array.from({ length: stations }, (_, i) => ({
        station_id: 213688169 + i,
        stationCode: `${16107 + i}`,
        num_bikes_available: 4,
        num_docks_available: 10,
        num_bikes_available_types: [{ mechanical: 2 }, { ebike: 2 }],
        is_installed: 1,
        is_renting: 1,
        is_returning: 1,
        last_reported: lastUpdatedOther,
      })),
    },
  };
}

const json =
  (body: unknown): Script =>
  (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };

// The collector against a scripted feed and the Pub/Sub emulator: what is published, what is not.
describe('velib-collector', () => {
  let stack: Stack;
  let feed: Listening;
  let script: Script = json({});
  let hits = 0;
  let topic: Topic;
  let audit: Subscription;
  const published: { data: string; attributes: Record<string, string>; id: string }[] = [];

  const collector = async (overrides: Partial<CollectSettings> = {}) => {
    const settings: CollectSettings = {
      feedUrl: `${feed.url}/station_status.json`,
      source: 'velib',
      eventType: 'station_status_snapshot',
      staleAfterSeconds: 600,
      warnBytes: 5_000_000,
      fetch: { timeoutMs: 500, retries: 2, backoffMs: 5 },
      ...overrides,
    };
    return listen(createApp({ topic, settings, log: silentLogger(), now: () => NOW }).callback());
  };

  const collect = async (overrides: Partial<CollectSettings> = {}) => {
    const server = await collector(overrides);
    try {
      const response = await fetch(`${server.url}/collect`, { method: 'POST' });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    } finally {
      await server.close();
    }
  };

  beforeAll(async () => {
    stack = await startStack();
    feed = await listen((req, res) => {
      hits += 1;
      script(req, res, hits);
    });
    [topic] = await stack.pubsub.createTopic('pmp-events');
    [audit] = await topic.createSubscription('pmp-events-sub');
    audit.on(
      'message',
      (m: { data: Buffer; attributes: Record<string, string>; id: string; ack(): void }) => {
        published.push({ data: m.data.toString('utf8'), attributes: m.attributes, id: m.id });
        m.ack();
      },
    );
  });

  afterAll(async () => {
    await audit?.close();
    await feed?.close();
    await stack?.close();
  });

  beforeEach(() => {
    hits = 0;
  });

  /** After a failed collection: a good one goes through, and is the only new message. */
  async function expectNothingPublishedBefore(): Promise<void> {
    const count = published.length;
    script = json(statusDoc(nowSeconds - 30));
    const ok = await collect();
    expect(ok.status).toBe(200);
    await eventually(() => (published.length > count ? true : undefined), 'the marker message');
    expect(published.length).toBe(count + 1);
    expect(published.at(-1)!.id).toBe(ok.body.messageId);
  }

  it('publishes one envelope with source, event_type and event_ts and reports the feed age', async () => {
    script = json(statusDoc(nowSeconds - 42));
    const { status, body } = await collect();
    expect(status).toBe(200);
    expect(body).toMatchObject({ stations: 3, feedAgeSeconds: 42, warnings: [], format: 'velib' });
    const message = await eventually(
      () => published.find((p) => p.id === body.messageId),
      'the published message',
    );
    expect(message.attributes).toEqual({
      source: 'velib',
      event_type: 'station_status_snapshot',
      event_ts: '2026-03-01T07:59:18Z',
    });
    const envelope = JSON.parse(message.data);
    expect(envelope).toMatchObject({
      ingest_ts: '2026-03-01T08:00:00Z',
      event_ts: '2026-03-01T07:59:18Z',
      source: 'velib',
      event_type: 'station_status_snapshot',
      key: 'velib:station_status_snapshot',
    });
    expect(envelope.payload).toEqual(statusDoc(nowSeconds - 42));
  });

  it('reports a stale feed in the answer and still publishes it', async () => {
    script = json(statusDoc(nowSeconds - 3600));
    const { status, body } = await collect();
    expect(status).toBe(200);
    expect(body.feedAgeSeconds).toBe(3600);
    expect(body.warnings).toEqual(['feed is stale: last updated 3600 s ago (threshold 600 s)']);
  });

  it('reports a feed over the size warning threshold', async () => {
    script = json(statusDoc(nowSeconds - 10, 200));
    const { status, body } = await collect({ warnBytes: 10_000 });
    expect(status).toBe(200);
    expect((body.warnings as string[])[0]).toMatch(/over the 0\.0 MB warning threshold/);
  });

  it('retries a failing feed with backoff and says so', async () => {
    script = (req, res, hit) => {
      if (hit < 3) {
        res.statusCode = 503;
        res.end('busy');
      } else json(statusDoc(nowSeconds - 5))(req, res, hit);
    };
    const { status, body } = await collect();
    expect(status).toBe(200);
    expect(hits).toBe(3);
    expect(body).toMatchObject({ attempts: 3, warnings: ['feed answered after 3 attempts'] });
  });

  it.each([
    ['not JSON', ((_q, res) => res.end('<html>maintenance</html>')) as Script, /feed is not JSON/],
    ['the wrong shape', json({ data: { stations: {} } }), /data\.stations must be a list/],
    [
      'station information on the status URL',
      json({ data: { stations: [{ station_id: 1, name: 'x', lat: 1, lon: 2 }] } }),
      /num_bikes_available is missing/,
    ],
    [
      'a 404',
      ((_q, res) => {
        res.statusCode = 404;
        res.end();
      }) as Script,
      /HTTP 404/,
    ],
  ])(
    'answers 502 with the reason and publishes nothing for %s',
    async (_label, feedScript, reason) => {
      script = feedScript;
      const { status, body } = await collect();
      expect(status).toBe(502);
      expect(body.error).toBe('feed rejected');
      expect(body.reason).toMatch(reason);
      await expectNothingPublishedBefore();
    },
  );

  it('gives up after the bounded retries when the feed never answers in time', async () => {
    script = () => undefined; // never responds
    // 500 ms, not less: on a busy machine a shorter attempt can end before its request arrives.
    const { status, body } = await collect({ fetch: { timeoutMs: 500, retries: 1, backoffMs: 1 } });
    expect(status).toBe(502);
    expect(body.reason).toBe('feed unreachable after 2 attempt(s): no answer within 500 ms');
    expect(hits).toBe(2);
    await expectNothingPublishedBefore();
  });

  it('refuses a feed too large for one Pub/Sub message without reading it all', async () => {
    script = (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.write('{"data":{"stations":[');
      const chunk = `${'{"station_id":1,"num_bikes_available":1},'.repeat(1000)}`;
      let sent = 0;
      const push = () => {
        while (sent < 400 && res.write(chunk)) sent += 1;
        if (sent < 400) res.once('drain', push);
        else res.end('{}]}}');
      };
      push();
    };
    const { status, body } = await collect();
    expect(status).toBe(502);
    expect(body.reason).toMatch(/over the 9\.9 MB a Pub\/Sub message can carry/);
    await expectNothingPublishedBefore();
  });

  it('answers 503 when publishing fails (a topic that does not exist)', async () => {
    script = json(statusDoc(nowSeconds - 5));
    const server = await listen(
      createApp({
        topic: stack.pubsub.topic('no-such-topic'),
        settings: {
          feedUrl: `${feed.url}/x.json`,
          source: 'velib',
          eventType: 'station_status_snapshot',
          staleAfterSeconds: 600,
          warnBytes: 5_000_000,
          fetch: { timeoutMs: 500, retries: 0 },
        },
        log: silentLogger(),
      }).callback(),
    );
    try {
      const response = await fetch(`${server.url}/collect`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { reason: string }).reason).toMatch(/no-such-topic/);
    } finally {
      await server.close();
    }
  });
});
