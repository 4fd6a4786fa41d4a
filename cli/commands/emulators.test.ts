import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { platform } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const pmp = resolve(repoRoot, 'cli/bin/pmp.js');

/** Whether a TCP connection to host:port is accepted (false when refused). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/**
 * Runs the real `pmp emulators` on free ports until it has printed its exports, hands the ports
 * it serves to `check`, then stops it with SIGINT and returns its exit code.
 */
async function withEmulators(
  args: string[],
  check: (exports: Record<string, string>, ports: number[]) => Promise<void>,
): Promise<number | null> {
  const child = spawn(
    process.execPath,
    [
      pmp,
      'emulators',
      '--pubsub-port',
      '0',
      '--pubsub-admin-port',
      '0',
      '--bigquery-port',
      '0',
    ].concat(args),
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await new Promise<void>((done, fail) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        // The status-page comment is the last line printed once every emulator listens.
        if (stdout.includes('# Pub/Sub status page')) done();
      });
      void exited.then((code) => fail(new Error(`pmp emulators exited ${code}: ${stderr}`)));
    });
    const exports = Object.fromEntries(
      [...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    const ports = [
      exports.PUBSUB_EMULATOR_HOST!,
      exports.BIGQUERY_EMULATOR_HOST!,
      exports.PUSH_JWKS_URL!,
    ].map((value) => Number(/:(\d+)(?:\/jwks)?$/.exec(value)![1]));
    await check(exports, ports);
  } finally {
    child.kill('SIGINT');
  }
  return exited;
}

// Linux routes all of 127.0.0.0/8 to loopback: 127.0.0.2 is served by a wildcard bind only.
const linuxOnly = platform() === 'linux' ? it : it.skip;

describe('pmp emulators --host', () => {
  linuxOnly('binds 127.0.0.1 by default', async () => {
    const code = await withEmulators([], async (exports, ports) => {
      expect(exports.PUBSUB_EMULATOR_HOST).toMatch(/^127\.0\.0\.1:\d+$/);
      for (const port of ports) {
        expect(await accepts('127.0.0.1', port)).toBe(true);
        expect(await accepts('127.0.0.2', port)).toBe(false);
      }
    });
    expect(code).toBe(0);
  });

  linuxOnly('binds every address with --host 0.0.0.0 and exports loopback', async () => {
    const code = await withEmulators(['--host', '0.0.0.0'], async (exports, ports) => {
      expect(exports.BIGQUERY_EMULATOR_HOST).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      for (const port of ports) {
        expect(await accepts('127.0.0.1', port)).toBe(true);
        expect(await accepts('127.0.0.2', port)).toBe(true);
      }
    });
    expect(code).toBe(0);
  });
});
