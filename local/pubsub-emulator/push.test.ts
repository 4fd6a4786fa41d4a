import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message } from '@google-cloud/pubsub';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintIdToken, OIDC_ISSUER } from './index.js';
import { startHarness, uniqueId, until, type Harness } from './testing/harness.js';

interface Received {
  body: { message: Record<string, unknown>; subscription: string; deliveryAttempt?: number };
  authorization: string | undefined;
}

let h: Harness;
let endpoint: Server;
let endpointUrl: string;
const status = 200;
const received: Received[] = [];

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

beforeAll(async () => {
  h = await startHarness();
  endpoint = createServer((req, res) => {
    void readJson(req).then((body) => {
      received.push({ body: body as Received['body'], authorization: req.headers.authorization });
      res.statusCode = req.url === '/fail' ? 500 : status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await h.close();
  endpoint.closeAllConnections();
  await new Promise((resolve) => endpoint.close(resolve));
});

describe('push subscriptions', () => {
  it('POSTs the real push body with an OIDC token that verifies against the JWKS', async () => {
    const [topic] = await h.pubsub.createTopic(uniqueId('t'));
    const [sub] = await topic.createSubscription(uniqueId('push'), {
      pushConfig: {
        pushEndpoint: `${endpointUrl}/pubsub`,
        oidcToken: { serviceAccountEmail: 'pusher@pmp-test.iam.gserviceaccount.com' },
      },
    });
    const id = await topic.publishMessage({
      data: Buffer.from('{"hello":1}'),
      attributes: { a: 'b' },
    });
    await until(() => received.some((r) => r.body.message.messageId === id), 10_000, 'push');
    const got = received.find((r) => r.body.message.messageId === id)!;
    expect(got.body.subscription).toBe(sub.name);
    expect(Buffer.from(got.body.message.data as string, 'base64').toString()).toBe('{"hello":1}');
    expect(got.body.message.attributes).toEqual({ a: 'b' });
    expect(got.body.message.message_id).toBe(id);
    expect(got.body.message.publish_time).toBe(got.body.message.publishTime);
    const token = got.authorization!.replace(/^Bearer /, '');
    const jwks = createRemoteJWKSet(new URL(h.emulator.jwksUrl));
    const { payload } = await jwtVerify(token, jwks, {
      issuer: OIDC_ISSUER,
      audience: `${endpointUrl}/pubsub`,
    });
    expect(payload.email).toBe('pusher@pmp-test.iam.gserviceaccount.com');
    expect(payload.email_verified).toBe(true);
    expect(payload.exp! - payload.iat!).toBe(3600);
    // Acked on 2xx: the backlog drains.
    await until(
      () => h.emulator.status().subscriptions.find((s) => s.name === sub.name)!.backlog === 0,
      5000,
      'ack',
    );
  });

  it('retries a 500 with backoff and dead-letters after 5 attempts', async () => {
    const [dlt] = await h.pubsub.createTopic(uniqueId('dlt'));
    const [hold] = await dlt.createSubscription(uniqueId('hold'));
    const [topic] = await h.pubsub.createTopic(uniqueId('t'));
    const [sub] = await topic.createSubscription(uniqueId('push-fail'), {
      pushConfig: { pushEndpoint: `${endpointUrl}/fail` },
      deadLetterPolicy: { deadLetterTopic: dlt.name, maxDeliveryAttempts: 5 },
    });
    const id = await topic.publishMessage({ data: Buffer.from('bad') });
    const dead = await new Promise<Message>((resolve) => hold.once('message', resolve));
    dead.ack();
    await hold.close();
    const attempts = received.filter((r) => r.body.message.messageId === id);
    expect(attempts.map((r) => r.body.deliveryAttempt)).toEqual([1, 2, 3, 4, 5]);
    expect(attempts.every((r) => r.authorization === undefined)).toBe(true);
    expect(dead.attributes.CloudPubSubDeadLetterSourceDeliveryCount).toBe('5');
    expect(dead.attributes.CloudPubSubDeadLetterSourceSubscription).toBe(sub.name.split('/')[3]);
  });

  it('serves tokens from POST /token that verify against /.well-known/jwks.json', async () => {
    const token = await mintIdToken({
      adminUrl: h.emulator.adminUrl,
      audience: 'https://svc/collect',
      email: 'scheduler@p.iam.gserviceaccount.com',
    });
    const jwks = createRemoteJWKSet(new URL(`${h.emulator.adminUrl}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token, jwks, {
      issuer: OIDC_ISSUER,
      audience: 'https://svc/collect',
    });
    expect(payload.email).toBe('scheduler@p.iam.gserviceaccount.com');
    const bad = await fetch(`${h.emulator.adminUrl}/token`, {
      method: 'POST',
      body: '{"audience":1}',
    });
    expect(bad.status).toBe(400);
  });

  it('serves the status page and status.json', async () => {
    const json = (await (await fetch(`${h.emulator.adminUrl}/status.json`)).json()) as {
      subscriptions: Array<{ kind: string }>;
    };
    expect(json.subscriptions.some((s) => s.kind === 'push')).toBe(true);
    const html = await (await fetch(`${h.emulator.adminUrl}/`)).text();
    expect(html).toContain('<h1>Pub/Sub emulator</h1>');
    expect(html).toContain('dead-lettered');
  });
});
