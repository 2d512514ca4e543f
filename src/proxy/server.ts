/**
 * The HTTP proxy (Confluent REST Proxy compatible) on fastify: request bodies are read raw with a
 * size limit (413 past it) and parsed by the routes, so every error has Confluent's
 * `{error_code, message}` shape; HTTP basic auth (optional) names the Kafka user the proxy speaks
 * as; TLS with PEM files like the broker's `--tls-cert/--tls-key/--tls-ca`. The v3 records route
 * gets the body as a stream (streaming produce). `startProxy` listens; `stop` closes consumer
 * instances, Kafka clients and the server.
 */
import type { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { KafkaConnectionOptions } from '../client/connection-options.ts';
import { ConsumerRegistry, v2ConsumerRoutes } from './consumers.ts';
import { ProxyContext, type ProxyLimits } from './context.ts';
import { notFound, payloadTooLarge, RestError, unauthorized } from './errors.ts';
import { KafkaSide, type Principal, restErrorOf, type ScramMechanism } from './kafka.ts';
import { SchemaFormats } from './schema-formats.ts';
import { sendJson } from './send.ts';
import { v2TopicRoutes } from './v2-topics.ts';
import { v3Routes } from './v3.ts';

export interface ProxyOptions {
  /** How to reach the Kafka cluster (bootstrap, TLS, and SASL for anonymous use). */
  connection: KafkaConnectionOptions;
  host?: string;
  /** Default 8082; 0 for any free port. */
  port?: number;
  /** `basic`: every request needs HTTP basic credentials of a Kafka SASL user. Default `none`. */
  authentication?: 'none' | 'basic';
  /** The SASL mechanism used to speak as the HTTP user (default SCRAM-SHA-256). */
  saslMechanism?: ScramMechanism;
  /** PEM text of the HTTPS certificate (chain) and key; `ca` asks clients for certificates signed by it. */
  tls?: { cert: string; key: string; ca?: string };
  /** Schema registry URL, for the avro, jsonschema and protobuf formats. */
  registryUrl?: string;
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  limits?: Partial<ProxyLimits>;
  logger?: boolean;
}

export interface RunningProxy {
  readonly app: FastifyInstance;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

export const DEFAULT_LIMITS: ProxyLimits = {
  maxRequestBytes: 32 * 1024 * 1024,
  consumerBufferBytes: 8 * 1024 * 1024,
  consumerInstanceTimeoutMs: 300_000,
  consumerRequestTimeoutMs: 1000,
  consumerMaxBytes: 64 * 1024 * 1024,
  consumerPatternRefreshMs: 30_000,
};

const STREAMING_ROUTE = /^\/v3\/clusters\/[^/]+\/topics\/[^/]+\/records\/?(\?.*)?$/;

function basicCredentials(header: string | undefined): Principal | null {
  if (header === undefined) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) throw unauthorized('Authorization must be HTTP basic credentials');
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) throw unauthorized('Malformed basic credentials');
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Reads a body up to `limit` bytes; past it, the rest is read and dropped, then 413 (so the client gets the answer). */
function readBody(payload: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    payload.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else chunks.length = 0;
    });
    payload.on('end', () => (size > limit ? reject(payloadTooLarge(limit)) : resolve(Buffer.concat(chunks))));
    payload.on('error', reject);
  });
}

export function buildProxy(o: ProxyOptions): { app: FastifyInstance; close(): Promise<void> } {
  const limits = { ...DEFAULT_LIMITS, ...o.limits };
  const kafka = new KafkaSide({
    connection: o.connection,
    ...(o.saslMechanism ? { mechanism: o.saslMechanism } : {}),
    ...(o.compression ? { compression: o.compression } : {}),
  });
  const consumers = new ConsumerRegistry(limits.consumerInstanceTimeoutMs);
  const schemas = new SchemaFormats(o.registryUrl);
  const ctx = new ProxyContext(kafka, consumers, limits, schemas);
  const app = Fastify({
    logger: o.logger ?? false,
    // The routes enforce the limit (and the streaming route limits each record instead).
    bodyLimit: Number.MAX_SAFE_INTEGER,
    ...(o.tls
      ? {
          https: {
            cert: o.tls.cert,
            key: o.tls.key,
            ...(o.tls.ca ? { ca: o.tls.ca, requestCert: true } : {}),
          },
        }
      : {}),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    (request: FastifyRequest, payload: Readable, done: (err: Error | null, body?: unknown) => void) => {
      if (request.method === 'POST' && STREAMING_ROUTE.test(request.url)) {
        done(null, payload);
        return;
      }
      readBody(payload, limits.maxRequestBytes).then(
        (body) => done(null, body),
        (err: Error) => done(err),
      );
    },
  );

  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    if (o.authentication !== 'basic') return;
    const principal = basicCredentials(request.headers.authorization);
    if (principal === null) throw unauthorized();
    (request as FastifyRequest & { principal: Principal | null }).principal = principal;
  });

  app.setErrorHandler((err: Error, _request, reply) => {
    const status = (err as Error & { statusCode?: number }).statusCode;
    const rest =
      err instanceof RestError
        ? err
        : status !== undefined && status < 500
          ? new RestError(status, status, err.message)
          : restErrorOf(err);
    if (rest.status === 401) reply.header('www-authenticate', 'Basic realm="samsa-proxy"');
    sendJson(reply.code(rest.status), 'application/json', rest.toJSON());
  });
  app.setNotFoundHandler((_request, reply) => {
    sendJson(reply.code(404), 'application/json', notFound().toJSON());
  });

  ctx.metrics.install(app, () => consumers.size);
  app.get('/', async (_request, reply) => {
    sendJson(reply, 'application/vnd.kafka.v2+json', {});
  });
  v2TopicRoutes(app, ctx);
  v2ConsumerRoutes(app, ctx, kafka);
  v3Routes(app, ctx);

  return {
    app,
    async close() {
      await consumers.close();
      await kafka.close();
      await schemas.close();
      await app.close();
    },
  };
}

export async function startProxy(o: ProxyOptions): Promise<RunningProxy> {
  const { app, close } = buildProxy(o);
  const host = o.host ?? '127.0.0.1';
  await app.listen({ host, port: o.port ?? 8082 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (o.port ?? 8082);
  return {
    app,
    port,
    url: `${o.tls ? 'https' : 'http'}://${host}:${port}`,
    stop: close,
  };
}
