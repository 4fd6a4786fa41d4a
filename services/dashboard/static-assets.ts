import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The page and its assets: a fixed list read once at start-up, so no path from a URL reaches fs. */
const FILES: readonly string[] = [
  'index.html',
  'app.js',
  'charts.js',
  'map.js',
  'style.css',
  'favicon.svg',
];

/**
 * Serves the dashboard page from memory. Everything it needs is here (no CDN, no web fonts, no
 * tiles), so it works offline and under a strict Content-Security-Policy.
 */
export function staticRoutes(): Router {
  const assets = new Map(
    FILES.map((name) => [
      name,
      { body: readFileSync(path.join(PUBLIC_DIR, name)), type: TYPES[path.extname(name)]! },
    ]),
  );
  const router = new Router();
  const send = (name: string) => (ctx: Router.RouterContext) => {
    const asset = assets.get(name)!;
    ctx.type = asset.type;
    ctx.set('Cache-Control', name === 'index.html' ? 'no-cache' : 'public, max-age=300');
    ctx.body = asset.body;
  };
  router.get('/', send('index.html'));
  for (const name of FILES) {
    if (name !== 'index.html') router.get(`/assets/${name}`, send(name));
  }
  return router;
}
