/**
 * REST Proxy API v3: `GET /v3/clusters`, `GET /v3/clusters/{id}`, `GET /v3/clusters/{id}/topics`,
 * `GET /v3/clusters/{id}/topics/{t}` and `POST /v3/clusters/{id}/topics/{t}/records`, which reads
 * the body as a stream of JSON records (one, or many concatenated: the streaming mode) and writes
 * one result object per record, in order, as the results come (records are sent in batches of up to
 * 500, several batches in flight). Record data types: BINARY (base64), JSON and STRING (a record
 * without a type is JSON), and AVRO, JSONSCHEMA, PROTOBUF with `schema_id` or an inline `schema`
 * (registered under the topic's subject) through the schema registry. `subject`/`schema_version`
 * are not implemented.
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ProxyContext } from './context.ts';
import { RestError } from './errors.ts';
import { decodeBase64, V3 } from './formats.ts';
import { JsonValueSplitter } from './json-stream.ts';
import { restErrorOf, type UserClients } from './kafka.ts';
import { type OutgoingRecord, produceRecords } from './produce.ts';
import type { SchemaFormatName, SchemaSpec } from './schema-formats.ts';
import { sendJson } from './send.ts';

const BATCH = 500;
const MAX_IN_FLIGHT = 4;

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? request.hostname}/v3`;
}

async function clusterId(clients: UserClients): Promise<string> {
  try {
    return (await clients.admin.metadata({ topics: [] })).id;
  } catch (err) {
    throw restErrorOf(err);
  }
}

async function checkCluster(clients: UserClients, id: string): Promise<void> {
  if ((await clusterId(clients)) !== id) throw new RestError(404, 404, `Cluster ${id} cannot be found.`);
}

function clusterJson(base: string, id: string, controller: number) {
  const self = `${base}/clusters/${id}`;
  return {
    kind: 'KafkaCluster',
    metadata: { self, resource_name: `crn:///kafka=${id}` },
    cluster_id: id,
    controller: { related: `${self}/brokers/${controller}` },
    acls: { related: `${self}/acls` },
    brokers: { related: `${self}/brokers` },
    broker_configs: { related: `${self}/broker-configs` },
    consumer_groups: { related: `${self}/consumer-groups` },
    topics: { related: `${self}/topics` },
    partition_reassignments: { related: `${self}/topics/-/partitions/-/reassignment` },
  };
}

function topicJson(base: string, id: string, name: string, partitions: { replicas: number[] }[]) {
  const self = `${base}/clusters/${id}/topics/${name}`;
  return {
    kind: 'KafkaTopic',
    metadata: { self, resource_name: `crn:///kafka=${id}/topic=${name}` },
    cluster_id: id,
    topic_name: name,
    is_internal: name.startsWith('__'),
    replication_factor: partitions[0]?.replicas.length ?? 0,
    partitions_count: partitions.length,
    partitions: { related: `${self}/partitions` },
    configs: { related: `${self}/configs` },
    partition_reassignments: { related: `${self}/partitions/-/reassignment` },
    authorized_operations: [],
  };
}

interface DataSpec {
  type: 'BINARY' | 'JSON' | 'STRING' | 'AVRO' | 'JSONSCHEMA' | 'PROTOBUF';
  bytes: Buffer | null;
  schemaId?: number;
}

const SCHEMA_TYPES: Record<string, SchemaFormatName> = {
  AVRO: 'avro',
  JSONSCHEMA: 'jsonschema',
  PROTOBUF: 'protobuf',
};
const TYPE_OF_FORMAT: Record<SchemaFormatName, DataSpec['type']> = {
  avro: 'AVRO',
  jsonschema: 'JSONSCHEMA',
  protobuf: 'PROTOBUF',
};

/** A key or value of a v3 record: synchronous unless it goes through the schema registry. */
function dataOf(
  raw: unknown,
  what: string,
  ctx: ProxyContext,
  topic: string,
): DataSpec | null | Promise<DataSpec | null> {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object') throw new RestError(400, 400, `${what} must be an object { "type", "data" }`);
  const d = raw as Record<string, unknown>;
  const declared = d.type === undefined ? undefined : String(d.type).toUpperCase();
  if (
    d.schema_id !== undefined ||
    d.subject !== undefined ||
    d.schema_version !== undefined ||
    d.subject_name_strategy !== undefined ||
    (declared !== undefined && declared in SCHEMA_TYPES)
  )
    return schemaDataOf(d, declared, what, ctx, topic);
  const type = declared ?? 'JSON';
  if (d.data === undefined || d.data === null) return { type: type as DataSpec['type'], bytes: null };
  switch (type) {
    case 'BINARY':
      if (typeof d.data !== 'string')
        throw new RestError(400, 400, `${what}: BINARY data must be a base64 string`);
      try {
        return { type, bytes: decodeBase64(d.data, what) };
      } catch (err) {
        throw new RestError(400, 400, (err as Error).message);
      }
    case 'JSON':
      return { type, bytes: Buffer.from(JSON.stringify(d.data)) };
    case 'STRING':
      if (typeof d.data !== 'string') throw new RestError(400, 400, `${what}: STRING data must be a string`);
      return { type, bytes: Buffer.from(d.data) };
    default:
      throw new RestError(
        400,
        400,
        `${what}: unknown type "${d.type}" (BINARY, JSON, STRING, AVRO, JSONSCHEMA, PROTOBUF)`,
      );
  }
}

async function schemaDataOf(
  d: Record<string, unknown>,
  declared: string | undefined,
  what: string,
  ctx: ProxyContext,
  topic: string,
): Promise<DataSpec> {
  const isKey = what === 'key';
  let spec: SchemaSpec;
  let format: SchemaFormatName;
  if (d.schema_id !== undefined) {
    if (!Number.isInteger(d.schema_id))
      throw new RestError(400, 400, `${what}: schema_id must be an integer`);
    spec = { id: d.schema_id as number };
    format =
      declared !== undefined && declared in SCHEMA_TYPES
        ? SCHEMA_TYPES[declared]!
        : await ctx.schemas.formatOfId(spec.id);
  } else if (d.schema !== undefined && d.schema !== null) {
    if (declared === undefined || !(declared in SCHEMA_TYPES))
      throw new RestError(400, 400, `${what}: a "schema" needs "type": AVRO, JSONSCHEMA or PROTOBUF`);
    spec = { schema: typeof d.schema === 'string' ? d.schema : JSON.stringify(d.schema) };
    format = SCHEMA_TYPES[declared]!;
  } else {
    // As Confluent's: `schema_version` (default: the latest) of `subject` (default: TopicNameStrategy).
    const strategy =
      d.subject_name_strategy === undefined ? 'TOPIC_NAME' : String(d.subject_name_strategy).toUpperCase();
    if (d.subject !== undefined && typeof d.subject !== 'string')
      throw new RestError(400, 400, `${what}: subject must be a string`);
    if (d.subject === undefined && strategy !== 'TOPIC_NAME')
      throw new RestError(
        400,
        400,
        `${what}: subject_name_strategy ${strategy} needs the record's schema; give "subject", "schema_id" or "schema"`,
      );
    const subject = (d.subject as string | undefined) ?? `${topic}-${isKey ? 'key' : 'value'}`;
    let version: number | 'latest' = 'latest';
    if (d.schema_version !== undefined && d.schema_version !== null) {
      if (!Number.isInteger(d.schema_version) || (d.schema_version as number) < 1)
        throw new RestError(400, 400, `${what}: schema_version must be a positive integer`);
      version = d.schema_version as number;
    }
    const found = await ctx.schemas.versionOf(subject, version);
    if (declared !== undefined && SCHEMA_TYPES[declared] !== found.format)
      throw new RestError(
        400,
        400,
        `${what}: ${subject} version ${version} is ${TYPE_OF_FORMAT[found.format]}, not ${declared}`,
      );
    spec = { id: found.id };
    format = found.format;
  }
  const { bytes, id } = await ctx.schemas.encode(format, spec, topic, isKey, d.data);
  return { type: TYPE_OF_FORMAT[format], bytes, ...(id !== null ? { schemaId: id } : {}) };
}

/** A result's `key`/`value` as JSON text: `{type, size, schema_id?}`, or null for no data. */
function dataText(d: DataSpec | null): string {
  if (d === null) return 'null';
  const size = d.bytes?.length ?? 0;
  return d.schemaId === undefined
    ? `{"type":"${d.type}","size":${size}}`
    : `{"type":"${d.type}","size":${size},"schema_id":${d.schemaId}}`;
}

let lastTime = Number.NaN;
let lastIso = '';
/** `new Date(ms).toISOString()`, remembered for the last millisecond (records of a batch share it). */
function isoTime(ms: number): string {
  if (ms !== lastTime) {
    lastTime = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

type Entry =
  | { record: OutgoingRecord; key: DataSpec | null; value: DataSpec | null; time: number }
  | { error: RestError };

function errorEntry(err: unknown): Entry {
  return { error: err instanceof RestError ? err : new RestError(400, 400, (err as Error).message) };
}

/** One record of a v3 request: synchronous unless its key or value goes through the registry. */
function parseRecord(text: string, topic: string, count: number, ctx: ProxyContext): Entry | Promise<Entry> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return {
      error: new RestError(400, 400, `Unexpected character in JSON record: ${(err as Error).message}`),
    };
  }
  try {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
      throw new RestError(400, 400, 'A record must be a JSON object');
    const r = raw as RawRecord;
    const key = dataOf(r.key, 'key', ctx, topic);
    const value = dataOf(r.value, 'value', ctx, topic);
    if (key instanceof Promise || value instanceof Promise)
      return Promise.all([key, value]).then(([k, v]) => finishRecord(r, k, v, topic, count, ctx), errorEntry);
    return finishRecord(r, key, value, topic, count, ctx);
  } catch (err) {
    return errorEntry(err);
  }
}

interface RawRecord {
  partition_id?: unknown;
  headers?: unknown;
  key?: unknown;
  value?: unknown;
  timestamp?: unknown;
}

function finishRecord(
  r: RawRecord,
  key: DataSpec | null,
  value: DataSpec | null,
  topic: string,
  count: number,
  ctx: ProxyContext,
): Entry {
  try {
    let partition: number;
    if (r.partition_id !== undefined && r.partition_id !== null) {
      if (
        !Number.isInteger(r.partition_id) ||
        (r.partition_id as number) < 0 ||
        (r.partition_id as number) >= count
      ) {
        throw new RestError(404, 40402, 'Partition not found.');
      }
      partition = r.partition_id as number;
    } else {
      partition = ctx.partitioner.partition(topic, key?.bytes ?? null, count);
    }
    let headers: Map<Buffer, Buffer> | undefined;
    if (r.headers !== undefined && r.headers !== null) {
      headers = new Map();
      if (!Array.isArray(r.headers))
        throw new RestError(400, 400, 'headers must be an array of { "name", "value" }');
      for (const h of r.headers as { name?: unknown; value?: unknown }[]) {
        if (typeof h?.name !== 'string') throw new RestError(400, 400, 'each header needs a string "name"');
        const v =
          h.value === undefined || h.value === null
            ? Buffer.alloc(0)
            : decodeBase64(String(h.value), `header ${h.name}`);
        headers.set(Buffer.from(h.name), v);
      }
    }
    let time = Date.now();
    if (r.timestamp !== undefined && r.timestamp !== null) {
      time = Date.parse(String(r.timestamp));
      if (Number.isNaN(time))
        throw new RestError(400, 400, `timestamp "${r.timestamp}" is not an ISO-8601 date-time`);
    }
    return {
      record: {
        partition,
        key: key?.bytes ?? null,
        value: value?.bytes ?? null,
        ...(headers === undefined ? {} : { headers }),
        timestamp: BigInt(time),
      },
      key,
      value,
      time,
    };
  } catch (err) {
    return errorEntry(err);
  }
}

export function v3Routes(app: FastifyInstance, ctx: ProxyContext): void {
  app.get('/v3/clusters', async (request, reply) => {
    const clients = await ctx.clients(request);
    const metadata = await clients.admin.metadata({ topics: [] }).catch((err) => {
      throw restErrorOf(err);
    });
    const base = baseUrl(request);
    sendJson(reply, V3, {
      kind: 'KafkaClusterList',
      metadata: { self: `${base}/clusters`, next: null },
      data: [clusterJson(base, metadata.id, metadata.controllerId)],
    });
  });

  app.get<{ Params: { cluster: string } }>('/v3/clusters/:cluster', async (request, reply) => {
    const clients = await ctx.clients(request);
    const metadata = await clients.admin.metadata({ topics: [] }).catch((err) => {
      throw restErrorOf(err);
    });
    if (metadata.id !== request.params.cluster)
      throw new RestError(404, 404, `Cluster ${request.params.cluster} cannot be found.`);
    sendJson(reply, V3, clusterJson(baseUrl(request), metadata.id, metadata.controllerId));
  });

  app.get<{ Params: { cluster: string } }>('/v3/clusters/:cluster/topics', async (request, reply) => {
    const clients = await ctx.clients(request);
    const { cluster } = request.params;
    await checkCluster(clients, cluster);
    const base = baseUrl(request);
    try {
      const names = (await clients.admin.listTopics({ includeInternals: false })).sort();
      const metadata = names.length > 0 ? await clients.admin.metadata({ topics: names }) : null;
      sendJson(reply, V3, {
        kind: 'KafkaTopicList',
        metadata: { self: `${base}/clusters/${cluster}/topics`, next: null },
        data: names.map((n) => topicJson(base, cluster, n, metadata?.topics.get(n)?.partitions ?? [])),
      });
    } catch (err) {
      throw restErrorOf(err);
    }
  });

  app.get<{ Params: { cluster: string; topic: string } }>(
    '/v3/clusters/:cluster/topics/:topic',
    async (request, reply) => {
      const clients = await ctx.clients(request);
      const { cluster, topic } = request.params;
      await checkCluster(clients, cluster);
      const { info } = await topicOrV3Error(ctx, clients, topic);
      sendJson(reply, V3, topicJson(baseUrl(request), cluster, topic, info.partitions));
    },
  );

  app.post<{ Params: { cluster: string; topic: string } }>(
    '/v3/clusters/:cluster/topics/:topic/records',
    async (request, reply) => {
      const body = request.body as Readable | Buffer | undefined;
      const clients = await ctx.clients(request);
      const { cluster, topic } = request.params;
      await checkCluster(clients, cluster);
      const { info } = await topicOrV3Error(ctx, clients, topic);
      const count = info.partitionsCount;
      const splitter = new JsonValueSplitter(ctx.limits.maxRequestBytes);

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': V3 });
      let writes: Promise<void> = Promise.resolve();
      const inFlight = new Set<Promise<void>>();
      let batch: Entry[] = [];
      let first = true;
      const linePrefix = `{"error_code":200,"cluster_id":${JSON.stringify(cluster)},"topic_name":${JSON.stringify(topic)},"partition_id":`;
      const lineOf = (e: Entry, result?: Awaited<ReturnType<typeof produceRecords>>[number]): string => {
        if ('error' in e) return JSON.stringify(e.error.toJSON());
        if (result === undefined || result.error !== undefined) {
          return JSON.stringify({ error_code: 500, message: result?.error?.message ?? 'Kafka error' });
        }
        // The same JSON as JSON.stringify of the object, written out: one line per record is the hot path.
        return `${linePrefix}${result.partition},"offset":${result.offset},"timestamp":"${isoTime(e.time)}","key":${dataText(e.key)},"value":${dataText(e.value)}}`;
      };
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const entries = batch;
        batch = [];
        const records = entries.flatMap((e) => ('record' in e ? [e.record] : []));
        const produced = produceRecords(clients, topic, records, ctx.metrics).catch((err) => {
          const e = restErrorOf(err, [topic]);
          return records.map((r) => ({
            partition: r.partition,
            offset: null,
            error: { code: e.errorCode, message: e.message },
          }));
        });
        const written = writes.then(async () => {
          const results = await produced;
          let i = 0;
          const lines = entries.map((e) => lineOf(e, 'record' in e ? results[i++] : undefined));
          const text = `${first ? '' : '\n'}${lines.join('\n')}`;
          first = false;
          if (!res.write(text)) await new Promise<void>((r) => res.once('drain', () => r()));
        });
        writes = written.catch(() => {});
        inFlight.add(written);
        written.finally(() => inFlight.delete(written)).catch(() => {});
        while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight).catch(() => {});
      };
      try {
        const chunks: Iterable<Buffer> | AsyncIterable<Buffer | string> =
          body === undefined ? [] : Buffer.isBuffer(body) ? [body] : (body as AsyncIterable<Buffer>);
        const decoder = new TextDecoder();
        for await (const chunk of chunks) {
          const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
          for (const value of splitter.push(text)) {
            const entry = parseRecord(value, topic, count, ctx);
            batch.push(entry instanceof Promise ? await entry : entry);
            if (batch.length >= BATCH) await flush();
          }
          await flush();
        }
        if (splitter.incomplete)
          batch.push({ error: new RestError(400, 400, 'The request body ended inside a record') });
      } catch (err) {
        batch.push({ error: new RestError(400, 400, (err as Error).message) });
      }
      await flush();
      await writes;
      res.end(first ? '' : '\n');
    },
  );
}

async function topicOrV3Error(ctx: ProxyContext, clients: UserClients, topic: string) {
  try {
    return await ctx.kafka.topic(clients, topic);
  } catch (err) {
    if (err instanceof RestError && err.errorCode === 40401) {
      throw new RestError(404, 404, 'This server does not host this topic-partition.');
    }
    throw err;
  }
}
