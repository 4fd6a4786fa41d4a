import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from './error-handler.js';
import { pushAuth } from './push-auth.js';
import { listen, startKeyServer, type Listening } from '../testing/service-fixtures.js';

const AUDIENCE = 'https://writer.example/pubsub';

describe('pushAuth', () => {
  let keys: Awaited<ReturnType<typeof startKeyServer>>;
  let service: Listening;
  let open: Listening;

  beforeAll(async () => {
    keys = await startKeyServer();
    const guarded = new Koa();
    guarded.silent = true;
    guarded.use(errorHandler());
    guarded.use(pushAuth({ audience: AUDIENCE, jwksUrl: keys.jwksUrl }));
    guarded.use((ctx) => {
      ctx.body = {
        ok: true,
        email: (ctx.state as { pushToken?: { email?: string } }).pushToken?.email,
      };
    });
    service = await listen(guarded.callback());
    const unguarded = new Koa();
    unguarded.use(pushAuth({ audience: '  ' }));
    unguarded.use((ctx) => {
      ctx.body = { ok: true };
    });
    open = await listen(unguarded.callback());
  });

  afterAll(async () => {
    await Promise.all([service.close(), open.close(), keys.close()]);
  });

  const call = (url: string, authorization?: string) =>
    fetch(url, { method: 'POST', headers: authorization ? { authorization } : {} });

  it('lets everything through when no audience is set', async () => {
    expect((await call(open.url)).status).toBe(200);
  });

  it('answers 401 with a Bearer challenge when the token is missing', async () => {
    const response = await call(service.url);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({ error: 'missing bearer token' });
  });

  it('accepts a token signed by the key set for the audience', async () => {
    const token = await keys.sign({ aud: AUDIENCE });
    const response = await call(service.url, `Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, email: 'push@test.iam.gserviceaccount.com' });
  });

  it('refuses a token for another audience', async () => {
    const token = await keys.sign({ aud: 'https://other.example/pubsub' });
    const response = await call(service.url, `Bearer ${token}`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toMatch(/aud/);
  });

  it('refuses an expired token', async () => {
    const token = await keys.sign({ aud: AUDIENCE, expiresIn: '-1m' });
    expect((await call(service.url, `Bearer ${token}`)).status).toBe(401);
  });

  it('refuses a token signed by another key', async () => {
    const stranger = await startKeyServer();
    try {
      const token = await stranger.sign({ aud: AUDIENCE });
      expect((await call(service.url, `Bearer ${token}`)).status).toBe(401);
    } finally {
      await stranger.close();
    }
  });

  it('refuses garbage and other schemes', async () => {
    expect((await call(service.url, 'Bearer not.a.jwt')).status).toBe(401);
    expect((await call(service.url, 'Basic dXNlcjpwYXNz')).status).toBe(401);
  });
});
