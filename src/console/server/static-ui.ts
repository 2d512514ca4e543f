/**
 * Serves the prebuilt UI (Vite's output in dist/console/ui, built by `npm run build` and shipped in
 * the npm package): files by path with their content type, hashed assets cached for a year, and
 * index.html for every other path (the UI routes by URL hash). Without a build it answers 503 with
 * the command that makes one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** dist/console/ui of the package, seen from src/console/server or dist/console/server. */
export const UI_DIR = fileURLToPath(new URL('../../../dist/console/ui/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

export function registerStaticUi(app: FastifyInstance, dir = UI_DIR): void {
  const cache = new Map<string, Buffer>();
  const read = (path: string): Buffer | undefined => {
    let data = cache.get(path);
    if (data === undefined && existsSync(path)) {
      data = readFileSync(path);
      cache.set(path, data);
    }
    return data;
  };
  app.get('/*', async (req, reply) => {
    const path = decodeURIComponent((req.url.split('?')[0] ?? '/').replace(/^\/+/, ''));
    const file = normalize(join(dir, path));
    const asset = path !== '' && file.startsWith(dir) ? read(file) : undefined;
    if (asset !== undefined) {
      reply.header('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
      if (path.startsWith('assets/')) reply.header('cache-control', 'public, max-age=31536000, immutable');
      return reply.send(asset);
    }
    const index = read(join(dir, 'index.html'));
    if (index === undefined)
      return reply
        .code(503)
        .type('text/plain')
        .send('The console UI is not built: run "npm run build" in the samsa package.');
    return reply.header('content-type', TYPES['.html']!).header('cache-control', 'no-cache').send(index);
  });
}
