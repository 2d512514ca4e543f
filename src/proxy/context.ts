/** What every route handler gets: the Kafka side, the consumer instances, the proxy's settings. */

import type { FastifyRequest } from 'fastify';
import type { ConsumerRegistry } from './consumers.ts';
import { badRequest } from './errors.ts';
import type { KafkaSide, Principal, UserClients } from './kafka.ts';
import { ProxyMetrics } from './metrics.ts';
import { Partitioner } from './partitioner.ts';
import type { SchemaFormats } from './schema-formats.ts';

export interface ProxyLimits {
  /** Largest request body (default 32 MiB); a v3 streaming request limits each record instead. */
  maxRequestBytes: number;
  /** Per consumer instance: records fetched but not yet read (default 8 MiB). */
  consumerBufferBytes: number;
  /** Idle consumer instances are deleted after this (default 5 min, Confluent's consumer.instance.timeout.ms). */
  consumerInstanceTimeoutMs: number;
  /** Default wait of GET records (Confluent's consumer.request.timeout.ms, 1 s). */
  consumerRequestTimeoutMs: number;
  /** Default max_bytes of GET records (64 MiB as in Confluent). */
  consumerMaxBytes: number;
  /** A `topic_pattern` subscription looks for new matching topics this often (default 30 s), on a read. */
  consumerPatternRefreshMs: number;
}

export class ProxyContext {
  readonly kafka: KafkaSide;
  readonly consumers: ConsumerRegistry;
  readonly limits: ProxyLimits;
  readonly schemas: SchemaFormats;
  readonly partitioner = new Partitioner();
  readonly metrics = new ProxyMetrics();

  constructor(kafka: KafkaSide, consumers: ConsumerRegistry, limits: ProxyLimits, schemas: SchemaFormats) {
    this.kafka = kafka;
    this.consumers = consumers;
    this.limits = limits;
    this.schemas = schemas;
  }

  clients(request: FastifyRequest): Promise<UserClients> {
    return this.kafka.clients(principalOf(request));
  }
}

export function principalOf(request: FastifyRequest): Principal | null {
  return (request as FastifyRequest & { principal?: Principal | null }).principal ?? null;
}

/**
 * The JSON body of a GET request (Confluent's `GET .../offsets` has one; fastify parses no GET
 * bodies, so it is read here).
 */
export async function getBody(request: FastifyRequest, limit: number): Promise<unknown> {
  if (request.body === undefined) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of request.raw as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > limit) throw badRequest(`Request body is larger than ${limit} bytes`);
      chunks.push(c);
    }
    (request as { body: unknown }).body = Buffer.concat(chunks);
  }
  return jsonBody(request);
}

/** The body of a JSON request, parsed (the raw bytes come from the server's parser). */
export function jsonBody(request: FastifyRequest, optional = false): unknown {
  const raw = request.body as Buffer | undefined;
  if (raw === undefined || raw.length === 0) {
    if (optional) return undefined;
    throw badRequest('Request body is empty');
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw badRequest(`Unexpected character in JSON body: ${(err as Error).message}`);
  }
}

export function intParam(value: string, what: string): number {
  if (!/^\d+$/.test(value)) throw badRequest(`${what} must be a non-negative integer, got "${value}"`);
  return Number(value);
}
