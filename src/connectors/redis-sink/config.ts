/**
 * The Redis sink's configuration, with the property names of Redis Inc.'s Kafka connector
 * (`com.redis.kafka.connect.RedisSinkConnector`): `redis.uri` (redis:// or rediss://, user and
 * password in the URI or in `redis.username`/`redis.password`), `redis.type` (STRING, HASH, JSON,
 * STREAM, LIST, SET) or its newer spelling `redis.command` (SET, HSET, JSONSET, XADD, LPUSH, RPUSH,
 * SADD), `redis.keyspace` (also `redis.key`; `${topic}` allowed) with `redis.separator`,
 * `redis.key.ttl` (seconds), `redis.push.direction` and `redis.multiexec`.
 *
 * Not implemented: ZSET and TIMESERIES targets, JSONMERGE/RedisJSON module commands (JSON is stored
 * as a string), Redis Cluster and Sentinel, `redis.wait.replicas`.
 */
import {
  type ConfigDef,
  type ConnectConfig,
  ConnectorConfig,
  type ConnectorPluginInfo,
} from '../../connect/api/index.ts';
import { TOPIC_VARIABLE } from './commands.ts';

export const REDIS_TYPES = ['STRING', 'HASH', 'JSON', 'STREAM', 'LIST', 'SET'] as const;
export type RedisType = (typeof REDIS_TYPES)[number];

/** `redis.command` values of the newer connector versions → type (and push direction). */
const COMMANDS: Record<string, { type: RedisType; direction?: 'LEFT' | 'RIGHT' }> = {
  SET: { type: 'STRING' },
  HSET: { type: 'HASH' },
  HMSET: { type: 'HASH' },
  JSONSET: { type: 'JSON' },
  XADD: { type: 'STREAM' },
  LPUSH: { type: 'LIST', direction: 'LEFT' },
  RPUSH: { type: 'LIST', direction: 'RIGHT' },
  SADD: { type: 'SET' },
};

const GROUP = 'Redis';

function parseUri(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('not a URI (expected redis://host:port or rediss://host:port)');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new Error(`scheme ${url.protocol}// is not supported (use redis:// or rediss://)`);
  if (url.hostname === '') throw new Error('the URI names no host');
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new Error(`"${db}" is not a database number`);
  return url;
}

export const REDIS_SINK_CONFIG: ConfigDef = [
  {
    name: 'redis.uri',
    type: 'STRING',
    importance: 'HIGH',
    group: GROUP,
    documentation:
      'Redis server, e.g. redis://localhost:6379 or rediss://user:pass@host:6380/2 (TLS, database 2).',
    validate: (v) => {
      if (v === null) return null;
      try {
        parseUri(String(v));
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
  },
  {
    name: 'redis.username',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    group: GROUP,
    documentation: 'User name (Redis ACL); overrides the URI.',
  },
  {
    name: 'redis.password',
    type: 'PASSWORD',
    default: null,
    importance: 'MEDIUM',
    group: GROUP,
    documentation: 'Password; overrides the URI.',
  },
  {
    name: 'redis.insecure',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    group: GROUP,
    documentation: 'With rediss://, do not verify the server certificate.',
  },
  {
    name: 'redis.type',
    type: 'STRING',
    default: 'HASH',
    importance: 'HIGH',
    group: GROUP,
    documentation:
      'Target data structure: STRING (SET key value), HASH (fields of the value), JSON (the value as JSON text in a string), STREAM (XADD), LIST or SET (the record key as member). Ignored when redis.command is set.',
    recommendedValues: [...REDIS_TYPES],
    strict: true,
  },
  {
    name: 'redis.command',
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: GROUP,
    documentation:
      'The newer connector versions’ spelling of the target: SET, HSET, JSONSET, XADD, LPUSH, RPUSH or SADD.',
    validate: (v) =>
      v === null || v === '' || String(v).toUpperCase() in COMMANDS
        ? null
        : `String must be one of: ${Object.keys(COMMANDS).join(', ')}`,
  },
  {
    name: 'redis.keyspace',
    type: 'STRING',
    default: TOPIC_VARIABLE,
    importance: 'MEDIUM',
    group: GROUP,
    documentation:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Connect's ${...} syntax
      'Key prefix (STRING, HASH, JSON: <keyspace><separator><record key>) or the collection key (STREAM, LIST, SET). ${topic} is the record topic. Also accepted as redis.key.',
  },
  {
    name: 'redis.separator',
    type: 'STRING',
    default: ':',
    importance: 'LOW',
    group: GROUP,
    documentation: 'Between keyspace and record key.',
  },
  {
    name: 'redis.key.ttl',
    type: 'LONG',
    default: -1,
    importance: 'MEDIUM',
    group: GROUP,
    documentation: 'Seconds until written keys expire (collections: the collection key); -1 keeps them.',
    validate: (v) =>
      v === null || (v as number) === -1 || (v as number) > 0 ? null : 'Value must be -1 or positive',
  },
  {
    name: 'redis.push.direction',
    type: 'STRING',
    default: 'LEFT',
    importance: 'LOW',
    group: GROUP,
    documentation: 'LIST: LEFT (LPUSH) or RIGHT (RPUSH).',
    recommendedValues: ['LEFT', 'RIGHT'],
    strict: true,
  },
  {
    name: 'redis.multiexec',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    group: GROUP,
    documentation:
      'Write each batch in one MULTI/EXEC transaction (readers never see a hash between its DEL and HSET).',
  },
  {
    name: 'redis.timeout.ms',
    type: 'INT',
    default: 10_000,
    importance: 'LOW',
    group: GROUP,
    documentation: 'Time allowed to connect and for each batch of commands to be answered.',
    validate: (v) => (v === null || (v as number) >= 1 ? null : 'Value must be at least 1'),
  },
];

export interface RedisSinkSettings {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly tls: boolean;
  readonly insecure: boolean;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly type: RedisType;
  readonly keyspace: string;
  readonly separator: string;
  readonly ttlSeconds: number;
  readonly pushRight: boolean;
  readonly multiExec: boolean;
  readonly timeoutMs: number;
  /** For messages: the URI without its password. */
  readonly where: string;
}

export function redisSinkSettings(raw: ConnectConfig): RedisSinkSettings {
  const withAliases = { ...raw };
  if (withAliases['redis.keyspace'] === undefined && withAliases['redis.key'] !== undefined)
    withAliases['redis.keyspace'] = withAliases['redis.key'];
  const config = new ConnectorConfig(REDIS_SINK_CONFIG, withAliases).assertValid();
  const url = parseUri(config.string('redis.uri'));
  const command = config.string('redis.command').toUpperCase();
  const mapped = command === '' ? undefined : COMMANDS[command];
  const decode = (s: string): string | undefined => (s === '' ? undefined : decodeURIComponent(s));
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 6379 : Number(url.port),
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:',
    insecure: config.boolean('redis.insecure'),
    username: config.optionalString('redis.username') ?? decode(url.username),
    password: config.optionalString('redis.password') ?? decode(url.password),
    type: mapped?.type ?? (config.string('redis.type') as RedisType),
    keyspace: withAliases['redis.keyspace'] ?? TOPIC_VARIABLE,
    separator: withAliases['redis.separator'] ?? ':',
    ttlSeconds: config.number('redis.key.ttl'),
    pushRight: (mapped?.direction ?? config.string('redis.push.direction')) === 'RIGHT',
    multiExec: config.boolean('redis.multiexec'),
    timeoutMs: config.number('redis.timeout.ms'),
    where: `${url.protocol}//${url.host}${url.pathname.length > 1 ? url.pathname : ''}`,
  };
}

export const REDIS_SINK_CLASS = 'samsa.connect.redis.RedisSinkConnector';

/** The plugin's names and keys, listed before its code (and ioredis) is loaded (src/connectors/index.ts). */
export const REDIS_SINK_INFO = {
  type: 'sink',
  className: REDIS_SINK_CLASS,
  aliases: ['com.redis.kafka.connect.RedisSinkConnector'],
  version: '0.1.0',
  config: REDIS_SINK_CONFIG,
} as const satisfies ConnectorPluginInfo;
