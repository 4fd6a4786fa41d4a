import type { AddressInfo } from 'node:net';
import { object } from 'superstruct';
import { describe, expect, it } from 'vitest';
import { createBaseApp } from './app-base.js';
import { loadConfig } from '../../runtime/config.js';
import { ListenHost } from './env.js';
import { connectHost, isLoopbackHost, isWildcardHost } from './listen-host.js';
import { silentLogger } from '../../runtime/logger.js';
import { serve } from './serve.js';

describe('HOST (ListenHost)', () => {
  const Settings = object({ HOST: ListenHost });
  const load = (HOST?: string) => loadConfig(Settings, { HOST }).HOST;

  it('unset or empty means every interface; brackets and spaces are dropped', () => {
    expect(load(undefined)).toBeUndefined();
    expect(load('')).toBeUndefined();
    expect(load(' 127.0.0.1 ')).toBe('127.0.0.1');
    expect(load('[::1]')).toBe('::1');
    expect(load('localhost')).toBe('localhost');
  });

  it('refuses what is neither an address nor a host name, naming HOST', () => {
    expect(() => load('http://0.0.0.0')).toThrow(
      /HOST is invalid: must be an IP address or a host name/,
    );
    expect(() => load('127.0.0.1:8080')).toThrow(/HOST is invalid/);
  });
});

describe('address rules', () => {
  it('connectHost: loopback for a wildcard, IPv6 bracketed', () => {
    expect(connectHost('0.0.0.0')).toBe('127.0.0.1');
    expect(connectHost('::')).toBe('[::1]');
    expect(connectHost('[::]')).toBe('[::1]');
    expect(connectHost('10.1.2.3')).toBe('10.1.2.3');
    expect(connectHost('fe80::1')).toBe('[fe80::1]');
  });

  it('isLoopbackHost / isWildcardHost', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '[::1]',
      'localhost',
      '::ffff:127.0.0.1',
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'fe80::1', 'example.com']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
    expect(isWildcardHost('0.0.0.0') && isWildcardHost('::') && isWildcardHost('[::]')).toBe(true);
    expect(isWildcardHost('127.0.0.1')).toBe(false);
  });
});

describe('serve host', () => {
  it('binds the address it is given, and its url uses it', async () => {
    const lifecycle = { draining: false };
    const running = await serve(createBaseApp(silentLogger(), lifecycle), {
      port: 0,
      host: '127.0.0.1',
      log: silentLogger(),
      lifecycle,
      handleSignals: false,
    });
    try {
      expect((running.server.address() as AddressInfo).address).toBe('127.0.0.1');
      expect(running.url).toBe(`http://127.0.0.1:${running.port}`);
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('without a host binds every interface (Cloud Run), reached on loopback', async () => {
    const lifecycle = { draining: false };
    const running = await serve(createBaseApp(silentLogger(), lifecycle), {
      port: 0,
      log: silentLogger(),
      lifecycle,
      handleSignals: false,
    });
    try {
      expect(['::', '0.0.0.0']).toContain((running.server.address() as AddressInfo).address);
      expect(running.url).toBe(`http://127.0.0.1:${running.port}`);
    } finally {
      await running.close();
    }
  });
});
