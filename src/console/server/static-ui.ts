/**
 * Serves the prebuilt UI (Vite's output in dist/console/ui, built by `npm run build` and shipped in
 * the npm package): files by path with their content type, hashed assets cached for a year, and
 * index.html for every other path (the UI routes by URL hash); gzipped (once, then cached) for
 * browsers that accept it. Without a build it answers 503 with the command that makes one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

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
  const gzipped = new Map<string, Buffer>();
  const read = (path: string): Buffer | undefined => {
    let data = cache.get(path);
    if (data === undefined && existsSync(path)) {
      data = readFileSync(path);
      cache.set(path, data);
    }
    return data;
  };
  const send = (req: FastifyRequest, reply: FastifyReply, path: string, data: Buffer) => {
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && data.length > 1024) {
      let packed = gzipped.get(path);
      if (packed === undefined) gzipped.set(path, (packed = gzipSync(data)));
      reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding');
      return reply.send(packed);
    }
    return reply.send(data);
  };
  app.get('/*', async (req, reply) => {
    const path = decodeURIComponent((req.url.split('?')[0] ?? '/').replace(/^\/+/, ''));
    const file = normalize(join(dir, path));
    const asset = path !== '' && file.startsWith(dir) ? read(file) : undefined;
    if (asset !== undefined) {
      reply.header('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
      if (path.startsWith('assets/')) reply.header('cache-control', 'public, max-age=31536000, immutable');
      return send(req, reply, file, asset);
    }
    const index = read(join(dir, 'index.html'));
    if (index === undefined)
      return reply
        .code(503)
        .type('text/plain')
        .send('The console UI is not built: run "npm run build" in the samsa package.');
    reply.header('content-type', TYPES['.html']!).header('cache-control', 'no-cache');
    return send(req, reply, join(dir, 'index.html'), index);
  });
}
