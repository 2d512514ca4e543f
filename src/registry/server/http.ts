/**
 * The HTTP conventions of Confluent Schema Registry's REST API on fastify: request bodies in
 * `application/vnd.schemaregistry.v1+json`, `application/vnd.schemaregistry+json`,
 * `application/json` or `application/octet-stream` (all JSON; anything else 415), responses in the
 * media type the `Accept` header prefers among those (the v1 type for `*` or no header; anything
 * else 406), and every error as `{"error_code": N, "message": "..."}` — registry errors with
 * their own codes, malformed JSON 400, unknown routes 404, a failing store 50001.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Errors, RegistryError } from '../errors.ts';
import { StoreError } from '../store/kafka-store.ts';

export const V1_JSON = 'application/vnd.schemaregistry.v1+json';
export const DEFAULT_JSON = 'application/vnd.schemaregistry+json';
export const JSON_TYPE = 'application/json';
const REQUEST_TYPES = [V1_JSON, DEFAULT_JSON, JSON_TYPE, 'application/octet-stream'];

/** The response media type for an Accept header, or null when none is acceptable. */
export function negotiate(accept: string | undefined): string | null {
  if (accept === undefined || accept.trim() === '') return V1_JSON;
  let best: { type: string; q: number; rank: number } | null = null;
  const ranks: Record<string, number> = { [V1_JSON]: 3, [DEFAULT_JSON]: 2, [JSON_TYPE]: 1 };
  for (const part of accept.split(',')) {
    const [rawType, ...params] = part.trim().split(';');
    const type = (rawType ?? '').trim().toLowerCase();
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!(q > 0)) continue;
    const candidates =
      type === '*/*' || type === 'application/*' ? [V1_JSON] : ranks[type] !== undefined ? [type] : [];
    for (const c of candidates) {
      const rank = ranks[c]!;
      if (!best || q > best.q || (q === best.q && rank > best.rank)) best = { type: c, q, rank };
    }
  }
  return best?.type ?? null;
}

function errorOf(err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  if (err instanceof StoreError) return Errors.store(`Error in the backend data store: ${err.message}`);
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return Errors.unsupportedMediaType();
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return Errors.badRequest('Request body is empty');
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new RegistryError(413, 413, 'Request body is too large');
  if (e.statusCode === 400 || err instanceof SyntaxError)
    return Errors.badRequest(`Unexpected character in the JSON body: ${e.message ?? ''}`.trim());
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
    return new RegistryError(e.statusCode, e.statusCode, e.message ?? 'Bad request');
  return new RegistryError(500, 500, e.message ?? 'Internal Server Error');
}

/** Installs body parsing, content negotiation and Confluent-style errors on an app. */
export function installConventions(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  for (const type of REQUEST_TYPES) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => {
      const text = String(body);
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(text));
      } catch (err) {
        done(Errors.badRequest(`Unrecognized token in the JSON body: ${(err as Error).message}`), undefined);
      }
    });
  }
  app.addContentTypeParser('*', (_req, _payload, done) => done(Errors.unsupportedMediaType(), undefined));

  const negotiated = new Map<string | undefined, string | null>();
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const accept = request.headers.accept;
    let type = negotiated.get(accept);
    if (type === undefined) {
      type = negotiate(accept);
      if (negotiated.size < 1000) negotiated.set(accept, type);
    }
    if (type === null) {
      done(Errors.notAcceptable());
      return;
    }
    reply.type(type);
    done();
  });

  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).type(V1_JSON).send(Errors.notFound().toJSON());
  });

  app.setErrorHandler((err, request, reply) => {
    const e = errorOf(err);
    if (e.status >= 500) request.log.error({ err }, 'request failed');
    const type = negotiate(request.headers.accept) ?? V1_JSON;
    void reply.code(e.status).type(type).send(e.toJSON());
  });
}

/** Jersey's boolean query parameters: "true" in any case, anything else false. */
export function flag(query: unknown, name: string): boolean {
  const value = (query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value.toLowerCase() === 'true';
}

export function text(query: unknown, name: string): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}
