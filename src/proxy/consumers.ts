/**
 * REST Proxy API v2 consumer instances: the registry of live instances (each owned by the HTTP
 * user who created it; another user gets 40403 for it), idle expiry, and the routes
 * `POST /consumers/{group}`, `DELETE .../instances/{i}`, `.../subscription` (POST/GET/DELETE),
 * `.../assignments` (POST/GET), `.../positions[/beginning|/end]`, `GET .../records` and
 * `.../offsets` (POST/GET).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConsumerInstance, type TopicPartition, type TopicPattern } from './consumer-instance.ts';
import { getBody, jsonBody, type ProxyContext, principalOf } from './context.ts';
import {
  consumerAlreadyExists,
  consumerFormatMismatch,
  consumerInstanceNotFound,
  invalidConsumerConfig,
  unprocessable,
} from './errors.ts';
import {
  accepts,
  decodeEmbedded,
  EMBEDDED_FORMATS,
  type EmbeddedFormat,
  isSchemaFormat,
  mediaType,
  V2,
} from './formats.ts';
import type { KafkaSide } from './kafka.ts';
import { sendJson } from './send.ts';

const key = (group: string, name: string): string => `${group}\0${name}`;

export class ConsumerRegistry {
  readonly #instances = new Map<string, ConsumerInstance>();
  readonly #timer: NodeJS.Timeout;
  readonly #timeoutMs: number;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#timer = setInterval(() => this.#expire(), Math.min(timeoutMs, 10_000));
    this.#timer.unref();
  }

  get size(): number {
    return this.#instances.size;
  }

  has(group: string, name: string): boolean {
    return this.#instances.has(key(group, name));
  }

  add(instance: ConsumerInstance): void {
    this.#instances.set(key(instance.config.group, instance.config.name), instance);
  }

  get(group: string, name: string, owner: string): ConsumerInstance {
    const instance = this.#instances.get(key(group, name));
    if (instance === undefined || instance.owner !== owner) throw consumerInstanceNotFound();
    instance.lastUsed = Date.now();
    return instance;
  }

  async remove(instance: ConsumerInstance): Promise<void> {
    this.#instances.delete(key(instance.config.group, instance.config.name));
    await instance.close();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    const all = [...this.#instances.values()];
    this.#instances.clear();
    await Promise.all(all.map((i) => i.close()));
  }

  #expire(): void {
    const cutoff = Date.now() - this.#timeoutMs;
    for (const instance of this.#instances.values()) {
      if (instance.lastUsed < cutoff) void this.remove(instance);
    }
  }
}

function ownerOf(request: FastifyRequest): string {
  return principalOf(request)?.username ?? '';
}

function partitionsOf(body: unknown, field: string): TopicPartition[] {
  const list = (body as Record<string, unknown> | undefined)?.[field];
  if (!Array.isArray(list)) throw unprocessable(`The request body must have a "${field}" array`);
  return list.map((p: unknown, i) => {
    const o = p as { topic?: unknown; partition?: unknown };
    if (typeof o?.topic !== 'string' || !Number.isInteger(o.partition) || (o.partition as number) < 0) {
      throw unprocessable(`${field}[${i}] must be { "topic": string, "partition": integer }`);
    }
    return { topic: o.topic, partition: o.partition as number };
  });
}

function offsetsOf(body: unknown): (TopicPartition & { offset: bigint })[] {
  const list = (body as { offsets?: unknown } | undefined)?.offsets;
  if (!Array.isArray(list)) throw unprocessable('The request body must have an "offsets" array');
  return list.map((p: unknown, i) => {
    const o = p as { topic?: unknown; partition?: unknown; offset?: unknown };
    if (
      typeof o?.topic !== 'string' ||
      !Number.isInteger(o.partition) ||
      !Number.isInteger(o.offset) ||
      (o.offset as number) < 0
    ) {
      throw unprocessable(
        `offsets[${i}] must be { "topic": string, "partition": integer, "offset": integer >= 0 }`,
      );
    }
    return { topic: o.topic, partition: o.partition as number, offset: BigInt(o.offset as number) };
  });
}

function parseConfig(body: Record<string, unknown>) {
  const format = (body.format ?? 'binary') as string;
  if (!(EMBEDDED_FORMATS as readonly string[]).includes(format)) {
    throw invalidConsumerConfig(`format must be one of ${EMBEDDED_FORMATS.join(', ')}, got "${format}"`);
  }
  const reset = (body['auto.offset.reset'] ?? 'latest') as string;
  if (reset !== 'earliest' && reset !== 'latest' && reset !== 'smallest' && reset !== 'largest') {
    throw invalidConsumerConfig(`auto.offset.reset must be earliest or latest, got "${reset}"`);
  }
  const commit = String(body['auto.commit.enable'] ?? 'true');
  if (commit !== 'true' && commit !== 'false')
    throw invalidConsumerConfig(`auto.commit.enable must be true or false, got "${commit}"`);
  const int = (name: string, fallback: number): number => {
    const v = body[name];
    if (v === undefined || v === null) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw invalidConsumerConfig(`${name} must be a non-negative integer, got "${v}"`);
    return n;
  };
  return {
    format: format as EmbeddedFormat,
    autoOffsetReset:
      reset === 'earliest' || reset === 'smallest' ? ('earliest' as const) : ('latest' as const),
    autoCommit: commit === 'true',
    fetchMinBytes: int('fetch.min.bytes', 1),
    requestTimeoutMs: int('consumer.request.timeout.ms', -1),
  };
}

export function v2ConsumerRoutes(app: FastifyInstance, ctx: ProxyContext, kafka: KafkaSide): void {
  type P = { Params: { group: string; instance: string } };
  const instanceOf = (request: FastifyRequest<P>): ConsumerInstance =>
    ctx.consumers.get(request.params.group, request.params.instance, ownerOf(request));
  const noContent = (reply: FastifyReply): void => {
    reply.code(204).send();
  };

  app.post<{ Params: { group: string } }>('/consumers/:group', async (request, reply) => {
    const body = (jsonBody(request, true) ?? {}) as Record<string, unknown>;
    if (body === null || typeof body !== 'object')
      throw unprocessable('The request body must be a JSON object');
    const config = parseConfig(body);
    const name =
      typeof body.name === 'string' && body.name !== '' ? body.name : `rest-consumer-${crypto.randomUUID()}`;
    const { group } = request.params;
    if (ctx.consumers.has(group, name)) throw consumerAlreadyExists();
    const clients = await ctx.clients(request); // authenticates, and gives the user's connection
    const instance = new ConsumerInstance(
      {
        group,
        name,
        format: config.format,
        autoOffsetReset: config.autoOffsetReset,
        autoCommit: config.autoCommit,
        fetchMinBytes: config.fetchMinBytes,
        requestTimeoutMs:
          config.requestTimeoutMs < 0 ? ctx.limits.consumerRequestTimeoutMs : config.requestTimeoutMs,
        maxBufferBytes: ctx.limits.consumerBufferBytes,
        patternRefreshMs: ctx.limits.consumerPatternRefreshMs,
      },
      clients.connection,
      ownerOf(request),
    );
    ctx.consumers.add(instance);
    const host = request.headers.host ?? `${request.hostname}`;
    sendJson(reply, V2, {
      instance_id: name,
      base_uri: `${request.protocol}://${host}/consumers/${encodeURIComponent(group)}/instances/${encodeURIComponent(name)}`,
    });
  });

  app.delete<P>('/consumers/:group/instances/:instance', async (request, reply) => {
    await ctx.consumers.remove(instanceOf(request));
    noContent(reply);
  });

  app.post<P>('/consumers/:group/instances/:instance/subscription', async (request, reply) => {
    const instance = instanceOf(request);
    const body = jsonBody(request) as { topics?: unknown; topic_pattern?: unknown };
    let topics: string[];
    let topicPattern: TopicPattern | undefined;
    if (
      Array.isArray(body?.topics) &&
      body.topics.every((t) => typeof t === 'string') &&
      body.topics.length > 0
    ) {
      topics = body.topics as string[];
    } else if (typeof body?.topic_pattern === 'string') {
      let pattern: RegExp;
      try {
        pattern = new RegExp(`^(?:${body.topic_pattern})$`);
      } catch (err) {
        throw unprocessable(`topic_pattern is not a valid regular expression: ${(err as Error).message}`);
      }
      const regex = pattern;
      // The user's clients are looked up again each time: the cache closes them when idle.
      const listTopics = async () =>
        (await ctx.clients(request)).admin.listTopics({ includeInternals: false });
      topics = (await listTopics()).filter((t) => regex.test(t));
      topicPattern = { regex, listTopics };
    } else {
      throw unprocessable('The request body must have a non-empty "topics" array or a "topic_pattern"');
    }
    for (const t of topics) await kafka.topic(await ctx.clients(request), t);
    await instance.subscribe(topics, topicPattern);
    noContent(reply);
  });

  app.get<P>('/consumers/:group/instances/:instance/subscription', async (request, reply) => {
    sendJson(reply, V2, { topics: instanceOf(request).subscription() });
  });

  app.delete<P>('/consumers/:group/instances/:instance/subscription', async (request, reply) => {
    await instanceOf(request).unsubscribe();
    noContent(reply);
  });

  app.post<P>('/consumers/:group/instances/:instance/assignments', async (request, reply) => {
    const instance = instanceOf(request);
    const partitions = partitionsOf(jsonBody(request), 'partitions');
    const clients = await ctx.clients(request);
    for (const t of new Set(partitions.map((p) => p.topic))) await kafka.topic(clients, t);
    await instance.assign(partitions);
    noContent(reply);
  });

  app.get<P>('/consumers/:group/instances/:instance/assignments', async (request, reply) => {
    sendJson(reply, V2, { partitions: instanceOf(request).assignments() });
  });

  app.post<P>('/consumers/:group/instances/:instance/positions', async (request, reply) => {
    instanceOf(request).seek(offsetsOf(jsonBody(request)));
    noContent(reply);
  });

  for (const where of ['beginning', 'end'] as const) {
    app.post<P>(`/consumers/:group/instances/:instance/positions/${where}`, async (request, reply) => {
      await instanceOf(request).seekTo(partitionsOf(jsonBody(request), 'partitions'), where);
      noContent(reply);
    });
  }

  app.get<P & { Querystring: { timeout?: string; max_bytes?: string } }>(
    '/consumers/:group/instances/:instance/records',
    async (request, reply) => {
      const instance = instanceOf(request);
      const type = mediaType(instance.config.format);
      if (!accepts(request.headers.accept, type)) throw consumerFormatMismatch();
      const timeout =
        request.query.timeout === undefined
          ? instance.config.requestTimeoutMs
          : Number(request.query.timeout);
      const maxBytes =
        request.query.max_bytes === undefined ? ctx.limits.consumerMaxBytes : Number(request.query.max_bytes);
      if (!Number.isFinite(timeout) || timeout < 0 || !Number.isFinite(maxBytes) || maxBytes < 0) {
        throw unprocessable('timeout and max_bytes must be non-negative numbers');
      }
      const records = await instance.records(Math.min(timeout, 300_000), maxBytes);
      ctx.metrics.consumed(records);
      const format = instance.config.format;
      const where = (r: { topic: string; partition: number; offset: bigint }, part: string) =>
        `the ${part} at ${r.topic}-${r.partition}@${r.offset}`;
      const body = isSchemaFormat(format)
        ? await Promise.all(
            records.map(async (r) => ({
              topic: r.topic,
              key: await ctx.schemas.decode(format, r.topic, r.key, where(r, 'key')),
              value: await ctx.schemas.decode(format, r.topic, r.value, where(r, 'value')),
              partition: r.partition,
              offset: Number(r.offset),
            })),
          )
        : records.map((r) => ({
            topic: r.topic,
            key: decodeEmbedded(format, r.key, where(r, 'key')),
            value: decodeEmbedded(format, r.value, where(r, 'value')),
            partition: r.partition,
            offset: Number(r.offset),
          }));
      sendJson(reply, type, body);
    },
  );

  app.post<P>('/consumers/:group/instances/:instance/offsets', async (request, reply) => {
    const instance = instanceOf(request);
    const body = jsonBody(request, true);
    await instance.commit(
      body === undefined || (body as { offsets?: unknown }).offsets === undefined ? null : offsetsOf(body),
    );
    reply.code(200).send();
  });

  app.get<P>('/consumers/:group/instances/:instance/offsets', async (request, reply) => {
    const instance = instanceOf(request);
    const committed = await instance.committed(
      partitionsOf(await getBody(request, ctx.limits.maxRequestBytes), 'partitions'),
    );
    sendJson(reply, V2, {
      offsets: committed.map((c) => ({
        topic: c.topic,
        partition: c.partition,
        offset: Number(c.offset),
        metadata: '',
      })),
    });
  });
}
