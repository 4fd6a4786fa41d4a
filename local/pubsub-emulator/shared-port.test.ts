import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './testing/harness.js';

// gRPC and REST share one port; the first bytes of a connection pick the server.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(h.emulator.port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function readAll(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
  });
}

describe('one port for gRPC and REST', () => {
  it('serves gRPC (the official client) and HTTP/1.1 on the same port', async () => {
    const [topic] = await h.pubsub.createTopic('shared-port-topic');
    const res = await fetch(`http://${h.emulator.host}/v1/${topic.name}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { name: string }).name).toBe(topic.name);
  });

  it('waits for more bytes when the first ones could still begin the HTTP/2 preface', async () => {
    const socket = await open();
    const reply = readAll(socket);
    // "P" begins both "PRI * HTTP/2.0" and "POST": nothing is decided on it alone.
    socket.write('P');
    await new Promise((r) => setTimeout(r, 50));
    socket.write(
      'OST /v1/projects/p/subscriptions/missing-sub:pull HTTP/1.1\r\nHost: x\r\n' +
        'Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
    );
    const text = await reply;
    expect(text).toMatch(/^HTTP\/1\.1 404 /);
    expect(text).toContain('"status":"NOT_FOUND"');
  });

  it('lets a connection that sends nothing go without harm', async () => {
    const socket = await open();
    const closed = readAll(socket);
    socket.end();
    expect(await closed).toBe('');
    expect((await fetch(`http://${h.emulator.host}/v1/projects/p/topics`)).status).toBe(200);
  });
});
