/**
 * Settings of a streams application, with Kafka Streams' names and defaults:
 * application.id, bootstrap.servers, state.dir, commit.interval.ms (30 s; 100 ms with
 * exactly_once_v2), processing.guarantee (at_least_once | exactly_once_v2), num.stream.threads
 * (1: a Node process runs one processing loop; start more instances to scale),
 * default.key.serde / default.value.serde, default.deserialization.exception.handler,
 * default.timestamp.extractor, application.server, replication.factor, statestore.cache.max.bytes
 * (alias cache.max.bytes.buffering), num.standby.replicas (0 only), session.timeout.ms,
 * heartbeat.interval.ms, max.poll.interval.ms, max.poll.records, poll.ms, transaction.timeout.ms,
 * request.timeout.ms, client.id, windowstore.changelog.additional.retention.ms, and SASL settings
 * (sasl.mechanism, sasl.username, sasl.password). Unknown keys are rejected with the known list.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DeserializationExceptionHandler,
  type Logger,
  logAndContinueExceptionHandler,
  logAndFailExceptionHandler,
  StreamsConfigError,
} from './errors.ts';
import type { TimestampExtractor } from './processor/topology.ts';
import { inferredSerde, type Serde, serdeByName, typePreservingSerde } from './serdes.ts';

export type ProcessingGuarantee = 'at_least_once' | 'exactly_once_v2';

export interface StreamsConfigInput {
  'application.id': string;
  'bootstrap.servers'?: string;
  'state.dir'?: string;
  'commit.interval.ms'?: number;
  'processing.guarantee'?: ProcessingGuarantee;
  'num.stream.threads'?: number;
  'default.key.serde'?: Serde<unknown> | string;
  'default.value.serde'?: Serde<unknown> | string;
  'default.deserialization.exception.handler'?:
    | 'LogAndContinueExceptionHandler'
    | 'LogAndFailExceptionHandler'
    | string
    | DeserializationExceptionHandler;
  'default.timestamp.extractor'?: TimestampExtractor | string;
  'application.server'?: string;
  'replication.factor'?: number;
  'statestore.cache.max.bytes'?: number;
  'cache.max.bytes.buffering'?: number;
  'num.standby.replicas'?: number;
  'session.timeout.ms'?: number;
  'heartbeat.interval.ms'?: number;
  'max.poll.interval.ms'?: number;
  'max.poll.records'?: number;
  'poll.ms'?: number;
  'transaction.timeout.ms'?: number;
  'request.timeout.ms'?: number;
  'client.id'?: string;
  'windowstore.changelog.additional.retention.ms'?: number;
  'sasl.mechanism'?: string;
  'sasl.username'?: string;
  'sasl.password'?: string;
}

export interface StreamsConfig {
  applicationId: string;
  bootstrapServers: string | undefined;
  stateDir: string;
  commitIntervalMs: number;
  processingGuarantee: ProcessingGuarantee;
  /** undefined when not set: serdes are then inferred (see `inferredSerde`). */
  defaultKeySerde: Serde<unknown> | undefined;
  defaultValueSerde: Serde<unknown> | undefined;
  deserializationHandler: (logger: Logger) => DeserializationExceptionHandler;
  timestampExtractor: TimestampExtractor | undefined;
  applicationServer: { host: string; port: number } | undefined;
  replicationFactor: number;
  cacheMaxBytes: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  maxPollRecords: number;
  pollMs: number;
  transactionTimeoutMs: number;
  requestTimeoutMs: number;
  clientId: string;
  sasl: { mechanism: string | undefined; username: string | undefined; password: string | undefined };
}

const KNOWN = new Set([
  'application.id',
  'bootstrap.servers',
  'state.dir',
  'commit.interval.ms',
  'processing.guarantee',
  'num.stream.threads',
  'default.key.serde',
  'default.value.serde',
  'default.deserialization.exception.handler',
  'default.timestamp.extractor',
  'application.server',
  'replication.factor',
  'statestore.cache.max.bytes',
  'cache.max.bytes.buffering',
  'num.standby.replicas',
  'session.timeout.ms',
  'heartbeat.interval.ms',
  'max.poll.interval.ms',
  'max.poll.records',
  'poll.ms',
  'transaction.timeout.ms',
  'request.timeout.ms',
  'client.id',
  'windowstore.changelog.additional.retention.ms',
  'sasl.mechanism',
  'sasl.username',
  'sasl.password',
]);

function int(input: Record<string, unknown>, key: string, fallback: number, min = 0): number {
  const raw = input[key];
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min)
    throw new StreamsConfigError(`${key} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

function serde(value: unknown, key: string): Serde<unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    const s = serdeByName(value);
    if (!s)
      throw new StreamsConfigError(
        `${key}: unknown serde "${value}" (String, Integer, Long, Double, Float, ByteArray, Bytes, JSON, Void, or a Serde object)`,
      );
    return s;
  }
  const s = value as Partial<Serde<unknown>>;
  if (typeof s.serializer !== 'function' || typeof s.deserializer !== 'function')
    throw new StreamsConfigError(`${key} must be a Serde (an object with serializer() and deserializer())`);
  return value as Serde<unknown>;
}

function handler(value: unknown): (logger: Logger) => DeserializationExceptionHandler {
  if (value === undefined) return logAndFailExceptionHandler;
  if (typeof value === 'string') {
    const short = value.replace(/^org\.apache\.kafka\.streams\.errors\./, '');
    if (short === 'LogAndContinueExceptionHandler') return logAndContinueExceptionHandler;
    if (short === 'LogAndFailExceptionHandler') return logAndFailExceptionHandler;
    throw new StreamsConfigError(
      `default.deserialization.exception.handler: unknown handler "${value}" (LogAndContinueExceptionHandler or LogAndFailExceptionHandler, or an object with handle())`,
    );
  }
  if (typeof (value as DeserializationExceptionHandler).handle === 'function')
    return () => value as DeserializationExceptionHandler;
  throw new StreamsConfigError(
    'default.deserialization.exception.handler must be a handler name or an object with handle()',
  );
}

function extractor(value: unknown): TimestampExtractor | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return value as TimestampExtractor;
  const short = String(value).replace(/^org\.apache\.kafka\.streams\.processor\./, '');
  switch (short) {
    case 'FailOnInvalidTimestamp':
    case 'LogAndSkipOnInvalidTimestamp':
      return undefined;
    case 'UsePartitionTimeOnInvalidTimestamp':
      return (r, partitionTime) => (r.timestamp >= 0 ? r.timestamp : Math.max(partitionTime, 0));
    case 'WallclockTimestampExtractor':
      return () => Date.now();
    default:
      throw new StreamsConfigError(
        `default.timestamp.extractor: unknown extractor "${String(value)}" (or pass a function)`,
      );
  }
}

export function parseStreamsConfig(
  input: StreamsConfigInput,
  options: { requireBootstrap: boolean },
): StreamsConfig {
  const raw = input as unknown as Record<string, unknown>;
  const unknown = Object.keys(raw).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0)
    throw new StreamsConfigError(
      `unknown setting(s) ${unknown.join(', ')}; known settings: ${[...KNOWN].join(', ')}`,
    );
  const applicationId = raw['application.id'];
  if (typeof applicationId !== 'string' || !/^[a-zA-Z0-9._-]+$/.test(applicationId))
    throw new StreamsConfigError('application.id is required: letters, digits, ".", "_" and "-" only');
  const bootstrap = raw['bootstrap.servers'] as string | undefined;
  if (
    options.requireBootstrap &&
    (bootstrap === undefined || bootstrap.trim() === '') &&
    !process.env.KAFKA_URL
  )
    throw new StreamsConfigError('bootstrap.servers is required (or set KAFKA_URL)');
  const guarantee = (raw['processing.guarantee'] ?? 'at_least_once') as string;
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once_v2') {
    throw new StreamsConfigError(
      `processing.guarantee must be at_least_once or exactly_once_v2, got "${guarantee}"${guarantee.startsWith('exactly_once') ? ' (exactly_once and exactly_once_beta are deprecated in Kafka; use exactly_once_v2)' : ''}`,
    );
  }
  const threads = int(raw, 'num.stream.threads', 1, 1);
  if (threads !== 1)
    throw new StreamsConfigError(
      'num.stream.threads must be 1: a Node.js instance runs one processing loop; start more instances with the same application.id to scale out',
    );
  if (int(raw, 'num.standby.replicas', 0) !== 0)
    throw new StreamsConfigError(
      'num.standby.replicas > 0 is not supported (standby tasks are not implemented); tasks restore from their changelog when they move',
    );
  const eos = guarantee === 'exactly_once_v2';
  let applicationServer: StreamsConfig['applicationServer'];
  const server = raw['application.server'];
  if (server !== undefined && server !== '') {
    const m = /^([^:]+):(\d+)$/.exec(String(server));
    if (!m) throw new StreamsConfigError(`application.server must be host:port, got "${String(server)}"`);
    applicationServer = { host: m[1]!, port: Number(m[2]) };
  }
  const cache = raw['statestore.cache.max.bytes'] ?? raw['cache.max.bytes.buffering'];
  return {
    applicationId,
    bootstrapServers: bootstrap,
    stateDir: (raw['state.dir'] as string | undefined) ?? join(tmpdir(), 'kafka-streams'),
    commitIntervalMs: int(raw, 'commit.interval.ms', eos ? 100 : 30_000),
    processingGuarantee: guarantee,
    defaultKeySerde: serde(raw['default.key.serde'], 'default.key.serde'),
    defaultValueSerde: serde(raw['default.value.serde'], 'default.value.serde'),
    deserializationHandler: handler(raw['default.deserialization.exception.handler']),
    timestampExtractor: extractor(raw['default.timestamp.extractor']),
    applicationServer,
    replicationFactor: int(raw, 'replication.factor', -1, -1),
    cacheMaxBytes: int({ c: cache }, 'c', 10 * 1024 * 1024),
    sessionTimeoutMs: int(raw, 'session.timeout.ms', 45_000, 1),
    heartbeatIntervalMs: int(raw, 'heartbeat.interval.ms', 3_000, 1),
    maxPollIntervalMs: int(raw, 'max.poll.interval.ms', 300_000, 1),
    maxPollRecords: int(raw, 'max.poll.records', 1000, 1),
    pollMs: int(raw, 'poll.ms', 100, 0),
    transactionTimeoutMs: int(raw, 'transaction.timeout.ms', 10_000, 1),
    requestTimeoutMs: int(raw, 'request.timeout.ms', 40_000, 1),
    clientId: (raw['client.id'] as string | undefined) ?? applicationId,
    sasl: {
      mechanism: raw['sasl.mechanism'] as string | undefined,
      username: raw['sasl.username'] as string | undefined,
      password: raw['sasl.password'] as string | undefined,
    },
  };
}

/** The serdes a task falls back on: configured defaults, else inferred (see `inferredSerde`). */
export function defaultSerdes(config: StreamsConfig): {
  defaultKeySerde: Serde<unknown>;
  defaultValueSerde: Serde<unknown>;
  internalKeySerde: Serde<unknown>;
  internalValueSerde: Serde<unknown>;
} {
  return {
    defaultKeySerde: config.defaultKeySerde ?? inferredSerde,
    defaultValueSerde: config.defaultValueSerde ?? inferredSerde,
    internalKeySerde: config.defaultKeySerde ?? typePreservingSerde,
    internalValueSerde: config.defaultValueSerde ?? typePreservingSerde,
  };
}
