import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Each entry point as Cloud Run starts it, with an environment it must refuse or a port it cannot
 * have: one fatal JSON log line saying why, and the exit status the platform shows.
 */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface LogLine {
  severity: string;
  message: string;
  err: { message: string; code?: string };
}

function runMain(
  service: string,
  env: Record<string, string>,
): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `services/${service}/main.ts`], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, lines: out.split('\n').filter(Boolean) }));
  });
}

function listening(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closed(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('a service main refused its environment', () => {
  it.each([
    { service: 'bq-writer', variable: 'PORT', value: 'not-a-port', exitCode: 1 },
    { service: 'dashboard', variable: 'PORT', value: '99999', exitCode: 1 },
    { service: 'dlq-replayer', variable: 'MAX_MESSAGES', value: '0', exitCode: 2 },
  ])(
    '$service logs one fatal line naming $variable and exits $exitCode',
    async ({ service, variable, value, exitCode }) => {
      const { code, lines } = await runMain(service, { [variable]: value });
      expect(code).toBe(exitCode);
      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0]!) as LogLine;
      expect(line.severity).toBe('CRITICAL');
      expect(line.message).toBe('configuration rejected');
      expect(line.err.message).toContain(`invalid configuration: ${variable} is invalid`);
    },
    60_000,
  );
});

describe('the dashboard main with no project to read', () => {
  // The client's fallbacks, kept on this machine: an empty gcloud configuration, and a metadata
  // server on loopback that is not Google's (no Metadata-Flavor header), as off Google Cloud.
  let metadata: Server;
  let metadataPort: number;
  let gcloudConfig: string;
  beforeAll(async () => {
    metadata = createServer((_request, response) => response.writeHead(404).end());
    metadataPort = await listening(metadata);
    gcloudConfig = mkdtempSync(path.join(tmpdir(), 'pmp-gcloud-'));
  });
  afterAll(async () => {
    await closed(metadata);
    rmSync(gcloudConfig, { recursive: true, force: true });
  });

  it('logs one fatal line naming PROJECT_ID and exits 1', async () => {
    const { code, lines } = await runMain('dashboard', {
      GCE_METADATA_HOST: `127.0.0.1:${metadataPort}`,
      CLOUDSDK_CONFIG: gcloudConfig,
    });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as LogLine;
    expect(line.severity).toBe('CRITICAL');
    expect(line.message).toBe('configuration rejected');
    expect(line.err.message).toContain('invalid configuration: PROJECT_ID is required but not set');
  }, 60_000);
});

describe('a service main whose port is taken', () => {
  let occupant: Server;
  let port: number;
  beforeAll(async () => {
    occupant = createServer((_request, response) => response.end());
    port = await listening(occupant);
  });
  afterAll(() => closed(occupant));

  it.each<{ service: string; env: Record<string, string> }>([
    { service: 'bq-writer', env: {} },
    { service: 'station-info-writer', env: {} },
    { service: 'data-quality', env: {} },
    { service: 'dashboard', env: { PROJECT_ID: 'pmp-test' } },
    {
      service: 'velib-collector',
      env: { TOPIC_ID: 'pmp-velib-station-status', FEED_URL: 'http://127.0.0.1:9/feed.json' },
    },
  ])(
    '$service logs one fatal line naming the port and exits 1',
    async ({ service, env }) => {
      const { code, lines } = await runMain(service, {
        ...env,
        HOST: '127.0.0.1',
        PORT: String(port),
      });
      expect(code).toBe(1);
      // Every line is a JSON log line: no bare stack trace.
      const parsed = lines.map((text) => JSON.parse(text) as LogLine);
      const fatal = parsed.filter((line) => line.severity === 'CRITICAL');
      expect(fatal).toHaveLength(1);
      expect(fatal[0]!.message).toBe(`cannot listen on port ${port}: it is already in use`);
      expect(fatal[0]!.err.code).toBe('EADDRINUSE');
    },
    60_000,
  );
});
