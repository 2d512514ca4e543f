/**
 * The registry's hottest read, `GET /schemas/ids/{id}` without query parameters (what every
 * deserializer asks on a cold cache), answered straight from node:http before fastify routes the
 * request: the body of an id is serialized once (ids never change) and the content type follows
 * the same negotiation as every route. Anything else — other paths, query parameters, unknown ids,
 * unacceptable `Accept` headers — falls through to fastify, which answers as before.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { StoredSchema } from '../store/state.ts';
import { negotiateCached } from './http.ts';
import { storedView } from './routes.ts';

const PREFIX = '/schemas/ids/';
const bodies = new WeakMap<StoredSchema, string>();

/** A fastify `serverFactory` whose server answers id lookups from `byId` and hands the rest on. */
export function idLookupServer(
  byId: () => ReadonlyMap<number, StoredSchema>,
): (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server {
  return (handler) => {
    const server = createServer((req, res) => {
      const url = req.url;
      const fast = req.method === 'GET' && url !== undefined && url.startsWith(PREFIX);
      if (fast && answer(url, req, res, byId())) return;
      handler(req, res);
    });
    server.keepAliveTimeout = 72_000; // what fastify sets on the servers it creates
    return server;
  };
}

function answer(
  url: string,
  req: IncomingMessage,
  res: ServerResponse,
  byId: ReadonlyMap<number, StoredSchema>,
): boolean {
  const digits = url.slice(PREFIX.length);
  if (digits.length === 0 || digits.length > 10 || !/^\d+$/.test(digits)) return false;
  const stored = byId.get(Number(digits));
  if (stored === undefined) return false;
  const type = negotiateCached(req.headers.accept);
  if (type === null) return false;
  let body = bodies.get(stored);
  if (body === undefined) {
    body = JSON.stringify(storedView(stored));
    bodies.set(stored, body);
  }
  res.writeHead(200, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
  return true;
}
