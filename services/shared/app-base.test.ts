import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createBaseApp } from './app-base.js';
import { createLogger } from '../../runtime/logger.js';
import { readTextBody } from './read-body.js';
import { listen, type Listening } from '../testing/service-fixtures.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger({ name: 'test', level: 'info', destination }) };
}

describe('createBaseApp', () => {
  let running: Listening | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('serves /healthz, and 503 once draining', async () => {
    const lifecycle = { draining: false };
    running = await listen(createBaseApp(capture().log, lifecycle).callback());
    const first = await fetch(`${running.url}/healthz`);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ status: 'ok' });
    lifecycle.draining = true;
    expect((await fetch(`${running.url}/healthz`)).status).toBe(503);
  });

  it('echoes a valid X-Request-Id, replaces an unsafe one, and logs it with severity', async () => {
    const { lines, log } = capture();
    running = await listen(createBaseApp(log, { draining: false }).callback());
    const kept = await fetch(`${running.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await fetch(`${running.url}/healthz`, {
      headers: { 'x-request-id': 'bad id; rm -rf' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const traced = await fetch(`${running.url}/healthz`, {
      headers: { 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' },
    });
    expect(traced.headers.get('x-request-id')).toBe('105445aa7843bc8bf206b12000100000');
    expect(lines.find((l) => l.requestId === 'abc-123')).toMatchObject({
      severity: 'INFO',
      status: 200,
      path: '/healthz',
    });
  });

  it('logs failures under the request id (request context wraps the error handler)', async () => {
    const { lines, log } = capture();
    const app = createBaseApp(log, { draining: false });
    app.use(() => {
      throw new Error('secret detail');
    });
    running = await listen(app.callback());
    const response = await fetch(`${running.url}/boom`, { headers: { 'x-request-id': 'r-500' } });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'internal error' });
    const mine = lines.filter((l) => l.requestId === 'r-500');
    expect(mine.map((l) => l.message)).toEqual(['unhandled error', 'request failed']);
    expect(mine[1]).toMatchObject({ severity: 'ERROR', status: 500 });
  });

  it('answers 413 for a body over the limit, before buffering it', async () => {
    const app = createBaseApp(capture().log, { draining: false });
    app.use(async (ctx) => {
      ctx.body = { length: (await readTextBody(ctx, 1024)).length };
    });
    running = await listen(app.callback());
    const small = await fetch(running.url, { method: 'POST', body: 'x'.repeat(1024) });
    expect(await small.json()).toEqual({ length: 1024 });
    const big = await fetch(running.url, { method: 'POST', body: 'x'.repeat(1025) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: 'request body exceeds 1024 bytes' });
  });
});
