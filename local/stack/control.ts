import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from './feed.js';

export interface ControlHandlers {
  status(): unknown;
  pause(): Promise<void>;
  resume(): Promise<void>;
  pauseScheduler(): Promise<void>;
  resumeScheduler(): Promise<void>;
  collect(): Promise<Record<string, string>>;
  runJob(name: string, env?: Record<string, string>): Promise<{ code: number; log: string }>;
}

export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024;

/**
 * The stack's control endpoint, on 127.0.0.1 only: `GET /status`, `POST /pause`, `POST /resume`
 * (scheduler and curated runner), `POST /scheduler/pause`, `POST /scheduler/resume` (the
 * scheduler alone, for a backfill beside a running curated job), `POST /collect` (both collectors
 * now), `POST /jobs/<name>/run` (a Cloud Run Job, body: extra env). What `pmp demo --local` and
 * `pmp status` talk to.
 */
export async function startControlServer(options: {
  port: number;
  handlers: ControlHandlers;
}): Promise<ControlServer> {
  const h = options.handlers;
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    const route = `${req.method} ${new URL(req.url ?? '/', 'http://control').pathname}`;
    (async () => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY) return send(413, { error: 'body too large' });
        chunks.push(chunk as Buffer);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (route === 'GET /status') return send(200, h.status());
      if (route === 'GET /healthz') return send(200, { status: 'ok' });
      if (route === 'POST /pause') return send(200, (await h.pause(), { paused: true }));
      if (route === 'POST /resume') return send(200, (await h.resume(), { paused: false }));
      if (route === 'POST /scheduler/pause') {
        return send(200, (await h.pauseScheduler(), { schedulerPaused: true }));
      }
      if (route === 'POST /scheduler/resume') {
        return send(200, (await h.resumeScheduler(), { schedulerPaused: false }));
      }
      if (route === 'POST /collect') return send(200, await h.collect());
      const job = /^POST \/jobs\/([a-z0-9-]+)\/run$/.exec(route);
      if (job) {
        let env: Record<string, string> = {};
        if (text.trim() !== '') {
          try {
            env = JSON.parse(text) as Record<string, string>;
          } catch {
            return send(400, { error: 'body must be a JSON object of environment variables' });
          }
        }
        return send(200, await h.runJob(job[1]!, env));
      }
      return send(404, {
        error: `no route ${route}; try GET /status, POST /pause, /resume, /scheduler/pause, /scheduler/resume, /collect, /jobs/<name>/run`,
      });
    })().catch((error: unknown) => send(500, { error: (error as Error).message }));
  });
  await listen(server, options.port, '--control-port');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
