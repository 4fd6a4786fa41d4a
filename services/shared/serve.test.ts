import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createBaseApp } from './app-base.js';
import { silentLogger } from '../../runtime/logger.js';
import { serve } from './serve.js';

describe('serve', () => {
  it('on close: health turns 503, in-flight requests finish, new connections are refused, clients close', async () => {
    const lifecycle = { draining: false };
    const app = createBaseApp(silentLogger(), lifecycle);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    app.use(async (ctx) => {
      started();
      await gate;
      ctx.body = { done: true };
    });
    let clientsClosed = false;
    const running = await serve(app, {
      port: 0,
      log: silentLogger(),
      lifecycle,
      handleSignals: false,
      onClose: async () => {
        clientsClosed = true;
      },
    });
    const slow = fetch(`${running.url}/slow`).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));
    await inFlight;
    const closing = running.close();
    expect(lifecycle.draining).toBe(true);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
    expect(clientsClosed).toBe(false);
    release();
    expect(await slow).toEqual({ status: 200, body: { done: true } });
    await closing;
    expect(clientsClosed).toBe(true);
  });

  it('cuts connections still open after drainMs', async () => {
    const lifecycle = { draining: false };
    const app = createBaseApp(silentLogger(), lifecycle);
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    app.use(async () => {
      started();
      await new Promise(() => undefined); // never finishes
    });
    const running = await serve(app, {
      port: 0,
      log: silentLogger(),
      lifecycle,
      handleSignals: false,
      drainMs: 50,
    });
    const stuck = fetch(`${running.url}/stuck`);
    await inFlight;
    await running.close();
    await expect(stuck).rejects.toThrow();
  });

  it('in-process (no signal handling), a taken port rejects with the listen error', async () => {
    const occupant = createServer();
    await new Promise<void>((resolve) => occupant.listen(0, '127.0.0.1', resolve));
    const { port } = occupant.address() as AddressInfo;
    const lifecycle = { draining: false };
    const options = { port, host: '127.0.0.1', log: silentLogger(), lifecycle };
    try {
      await expect(
        serve(createBaseApp(silentLogger(), lifecycle), { ...options, handleSignals: false }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      occupant.close();
    }
  });
});
