/**
 * Forwards `/api/connect/*` and `/api/registry/*` to the Connect worker's and the schema registry's
 * REST APIs, so the browser talks only to the console's own server. Method, path, query, JSON body
 * and the caller's Authorization header pass through; the answer's status and body come back as
 * they are (Connect's and the registry's validation errors included). An unset URL answers 404
 * `{ "error": "... not configured" }`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type UrlSource = string | undefined | (() => Promise<string | undefined>);

async function resolveUrl(source: UrlSource): Promise<string | undefined> {
  return typeof source === 'function' ? source() : source;
}

export function registerRestForward(
  app: FastifyInstance,
  prefix: string,
  label: string,
  target: UrlSource,
): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const base = await resolveUrl(target);
    if (base === undefined) return reply.code(404).send({ error: `${label} is not configured` });
    const rest = req.url.slice(prefix.length);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const hasBody = req.method !== 'GET' && req.method !== 'DELETE' && req.body !== undefined;
    if (hasBody) headers['content-type'] = String(req.headers['content-type'] ?? 'application/json');
    let res: Response;
    try {
      res = await fetch(`${base.replace(/\/$/, '')}${rest}`, {
        method: req.method,
        headers,
        ...(hasBody ? { body: typeof req.body === 'string' ? req.body : JSON.stringify(req.body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      return reply
        .code(502)
        .send({ error: `${label} at ${base} cannot be reached: ${(err as Error).message}` });
    }
    const text = await res.text();
    reply.code(res.status);
    reply.header('content-type', res.headers.get('content-type') ?? 'application/json');
    return reply.send(text);
  };
  app.all(`${prefix}`, handler);
  app.all(`${prefix}/*`, handler);
}
