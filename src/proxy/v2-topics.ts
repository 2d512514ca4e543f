/**
 * REST Proxy API v2, topics, partitions and brokers, and produce: `GET /topics`, `GET /topics/{t}`
 * (partitions and configs), `GET /topics/{t}/partitions[/{p}[/offsets]]`, `GET /brokers`,
 * `POST /topics/{t}` and `POST /topics/{t}/partitions/{p}` with the json and binary embedded
 * formats and per-record partition/offset/error results.
 */
import { ConfigResourceTypes } from '@platformatic/kafka';
import type { FastifyInstance } from 'fastify';
import { intParam, jsonBody, type ProxyContext } from './context.ts';
import { keySchemaMissing, partitionNotFound, unprocessable, valueSchemaMissing } from './errors.ts';
import { encodeEmbedded, isSchemaFormat, produceFormat, V2 } from './formats.ts';
import type { UserClients } from './kafka.ts';
import { restErrorOf } from './kafka.ts';
import { type OutgoingRecord, produceRecords } from './produce.ts';
import type { SchemaSpec } from './schema-formats.ts';
import { sendJson } from './send.ts';

/** `*_schema` (text, or a JSON object for Avro/JSON Schema) or `*_schema_id`; null when neither. */
function schemaSpec(schema: unknown, id: unknown, what: string): SchemaSpec | null {
  if (id !== undefined && id !== null) {
    if (!Number.isInteger(id) || (id as number) < 0)
      throw unprocessable(`${what}_schema_id must be a schema id`);
    return { id: id as number };
  }
  if (schema === undefined || schema === null) return null;
  if (typeof schema === 'string') return { schema };
  if (typeof schema === 'object') return { schema: JSON.stringify(schema) };
  throw unprocessable(`${what}_schema must be the schema's text`);
}

type PartitionInfo = { leader: number; replicas: number[]; isr: number[] };

function partitionJson(partition: number, p: PartitionInfo) {
  return {
    partition,
    leader: p.leader,
    replicas: p.replicas.map((broker) => ({
      broker,
      leader: broker === p.leader,
      in_sync: p.isr.includes(broker),
    })),
  };
}

async function listOffsets(clients: UserClients, topic: string, partition: number) {
  const reader = clients.reader();
  const [earliest, latest] = await Promise.all(
    [-2n, -1n].map((timestamp) =>
      reader.listOffsets({ topics: [topic], partitions: { [topic]: [partition] }, timestamp }),
    ),
  );
  return {
    beginning_offset: Number(earliest!.get(topic)?.[partition] ?? 0n),
    end_offset: Number(latest!.get(topic)?.[partition] ?? 0n),
  };
}

export function v2TopicRoutes(app: FastifyInstance, ctx: ProxyContext): void {
  app.get('/topics', async (request, reply) => {
    const clients = await ctx.clients(request);
    try {
      const topics = await clients.admin.listTopics({ includeInternals: false });
      sendJson(reply, V2, topics.sort());
    } catch (err) {
      throw restErrorOf(err);
    }
  });

  app.get<{ Params: { topic: string } }>('/topics/:topic', async (request, reply) => {
    const clients = await ctx.clients(request);
    const { topic } = request.params;
    const { info } = await ctx.kafka.topic(clients, topic);
    let configs: Record<string, string | null> = {};
    try {
      const [described] = await clients.admin.describeConfigs({
        resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic }],
      });
      configs = Object.fromEntries((described?.configs ?? []).map((c) => [c.name, c.value ?? null]));
    } catch (err) {
      throw restErrorOf(err, [topic]);
    }
    sendJson(reply, V2, {
      name: topic,
      configs,
      partitions: info.partitions.map((p, i) => partitionJson(i, p)),
    });
  });

  app.get<{ Params: { topic: string } }>('/topics/:topic/partitions', async (request, reply) => {
    const { info } = await ctx.kafka.topic(await ctx.clients(request), request.params.topic);
    sendJson(
      reply,
      V2,
      info.partitions.map((p, i) => partitionJson(i, p)),
    );
  });

  app.get<{ Params: { topic: string; partition: string } }>(
    '/topics/:topic/partitions/:partition',
    async (request, reply) => {
      const { info } = await ctx.kafka.topic(await ctx.clients(request), request.params.topic);
      const partition = intParam(request.params.partition, 'partition');
      const p = info.partitions[partition];
      if (p === undefined) throw partitionNotFound();
      sendJson(reply, V2, partitionJson(partition, p));
    },
  );

  app.get<{ Params: { topic: string; partition: string } }>(
    '/topics/:topic/partitions/:partition/offsets',
    async (request, reply) => {
      const clients = await ctx.clients(request);
      const { topic } = request.params;
      const { info } = await ctx.kafka.topic(clients, topic);
      const partition = intParam(request.params.partition, 'partition');
      if (info.partitions[partition] === undefined) throw partitionNotFound();
      try {
        sendJson(reply, V2, await listOffsets(clients, topic, partition));
      } catch (err) {
        throw restErrorOf(err, [topic]);
      }
    },
  );

  app.get('/brokers', async (request, reply) => {
    const clients = await ctx.clients(request);
    try {
      const metadata = await clients.admin.metadata({ topics: [] });
      sendJson(reply, V2, { brokers: [...metadata.brokers.keys()].sort((a, b) => a - b) });
    } catch (err) {
      throw restErrorOf(err);
    }
  });

  const produce = async (
    request: import('fastify').FastifyRequest<{ Params: { topic: string; partition?: string } }>,
    reply: import('fastify').FastifyReply,
  ) => {
    const format = produceFormat(request.headers['content-type']);
    const body = jsonBody(request) as {
      records?: unknown;
      key_schema?: unknown;
      key_schema_id?: unknown;
      value_schema?: unknown;
      value_schema_id?: unknown;
    };
    if (body === null || typeof body !== 'object' || !Array.isArray(body.records)) {
      throw unprocessable('The request body must be an object with a "records" array');
    }
    const raws = body.records as unknown[];
    raws.forEach((raw, i) => {
      if (raw === null || typeof raw !== 'object') throw unprocessable(`records[${i}] must be an object`);
    });
    const rows = raws as { key?: unknown; value?: unknown; partition?: unknown }[];
    let keySpec: SchemaSpec | null = null;
    let valueSpec: SchemaSpec | null = null;
    if (isSchemaFormat(format)) {
      keySpec = schemaSpec(body.key_schema, body.key_schema_id, 'key');
      valueSpec = schemaSpec(body.value_schema, body.value_schema_id, 'value');
      if (keySpec === null && rows.some((r) => r.key !== undefined && r.key !== null))
        throw keySchemaMissing();
      if (valueSpec === null && rows.some((r) => r.value !== undefined && r.value !== null))
        throw valueSchemaMissing();
    }
    const clients = await ctx.clients(request);
    const { topic } = request.params;
    const { info } = await ctx.kafka.topic(clients, topic);
    const fixed =
      request.params.partition === undefined ? undefined : intParam(request.params.partition, 'partition');
    if (fixed !== undefined && info.partitions[fixed] === undefined) throw partitionNotFound();
    const count = info.partitionsCount;
    let keySchemaId: number | null = null;
    let valueSchemaId: number | null = null;
    const records: OutgoingRecord[] = [];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      let key: Buffer | null;
      let value: Buffer | null;
      if (isSchemaFormat(format)) {
        const k =
          keySpec === null
            ? { bytes: null, id: null }
            : await ctx.schemas.encode(format, keySpec, topic, true, r.key);
        const v =
          valueSpec === null
            ? { bytes: null, id: null }
            : await ctx.schemas.encode(format, valueSpec, topic, false, r.value);
        [key, value] = [k.bytes, v.bytes];
        keySchemaId = k.id ?? keySchemaId;
        valueSchemaId = v.id ?? valueSchemaId;
      } else {
        key = encodeEmbedded(format, r.key, `records[${i}].key`);
        value = encodeEmbedded(format, r.value, `records[${i}].value`);
      }
      let partition = fixed;
      if (partition === undefined && r.partition !== undefined && r.partition !== null) {
        if (!Number.isInteger(r.partition) || (r.partition as number) < 0) {
          throw unprocessable(`records[${i}].partition must be a non-negative integer`);
        }
        partition = r.partition as number;
        if (partition >= count) throw partitionNotFound();
      }
      records.push({ partition: partition ?? ctx.partitioner.partition(topic, key, count), key, value });
    }
    const results = await produceRecords(clients, topic, records, ctx.metrics);
    sendJson(reply, V2, {
      key_schema_id: keySchemaId,
      value_schema_id: valueSchemaId,
      offsets: results.map((r) =>
        r.error === undefined
          ? { partition: r.partition, offset: Number(r.offset), error_code: null, error: null }
          : { partition: r.partition, offset: null, error_code: r.error.code, error: r.error.message },
      ),
    });
  };
  app.post('/topics/:topic', produce);
  app.post('/topics/:topic/partitions/:partition', produce);
}
