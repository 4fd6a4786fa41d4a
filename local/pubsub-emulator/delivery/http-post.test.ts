import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpPoster, type HttpPoster } from './http-post.js';

interface Received {
  body: Buffer;
  headers: http.IncomingHttpHeaders;
  socketPort: number;
}

const servers: http.Server[] = [];
const posters: HttpPoster[] = [];

afterEach(async () => {
  for (const poster of posters.splice(0)) poster.close();
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

/** A push endpoint that records what it got and answers `status`, after `delayMs`. */
async function endpoint(status: number, delayMs = 0) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        body: Buffer.concat(chunks),
        headers: req.headers,
        socketPort: req.socket.remotePort ?? 0,
      });
      setTimeout(() => res.writeHead(status).end('ok'), delayMs);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/push`, received };
}

function poster(): HttpPoster {
  const created = createHttpPoster();
  posters.push(created);
  return created;
}

describe('createHttpPoster', () => {
  it('POSTs the body with its headers and a content-length, and answers the status', async () => {
    const target = await endpoint(204);
    const body = Buffer.from(JSON.stringify({ message: { data: 'aGVsbG8=' } }));
    const status = await poster().post(
      target.url,
      body,
      { 'content-type': 'application/json', authorization: 'Bearer t' },
      5_000,
    );
    expect(status).toBe(204);
    expect(target.received).toHaveLength(1);
    expect(target.received[0]!.body.equals(body)).toBe(true);
    expect(target.received[0]!.headers['content-type']).toBe('application/json');
    expect(target.received[0]!.headers.authorization).toBe('Bearer t');
    expect(target.received[0]!.headers['content-length']).toBe(String(body.length));
  });

  it('answers non-2xx statuses instead of throwing, so the caller can nack', async () => {
    const target = await endpoint(503);
    expect(await poster().post(target.url, Buffer.from('{}'), {}, 5_000)).toBe(503);
  });

  it('keeps the connection alive between pushes', async () => {
    const target = await endpoint(200);
    const client = poster();
    await client.post(target.url, Buffer.from('1'), {}, 5_000);
    await client.post(target.url, Buffer.from('2'), {}, 5_000);
    expect(target.received.map((r) => r.socketPort)).toEqual([
      target.received[0]!.socketPort,
      target.received[0]!.socketPort,
    ]);
  });

  it('rejects when the endpoint does not answer within the deadline', async () => {
    const target = await endpoint(200, 2_000);
    await expect(poster().post(target.url, Buffer.from('{}'), {}, 200)).rejects.toThrow(
      /timed out after 200 ms/,
    );
  });

  it('rejects a refused connection and a URL that is not http(s)', async () => {
    const target = await endpoint(200);
    const refused = target.url.replace(/:\d+\//, ':1/');
    await expect(poster().post(refused, Buffer.from('{}'), {}, 5_000)).rejects.toThrow();
    for (const endpoint of ['ftp://example/push', 'not a url']) {
      await expect(poster().post(endpoint, Buffer.from('{}'), {}, 5_000)).rejects.toThrow(
        /not an http\(s\) URL/,
      );
    }
  });

  it('lets a push in flight finish when closed', async () => {
    const target = await endpoint(200, 100);
    const client = poster();
    const inFlight = client.post(target.url, Buffer.from('{}'), {}, 5_000);
    client.close();
    expect(await inFlight).toBe(200);
  });
});
