/**
 * Turns sink records into Redis commands, one record at a time, as Redis Inc.'s connector maps
 * them: STRING and JSON write the value under `<keyspace><separator><key>`, HASH replaces the hash
 * with the value's fields, STREAM appends the value's fields with XADD, LIST and SET add the record
 * key as a member of the collection `<keyspace>`; a null value (tombstone) deletes the key or
 * removes the member (streams ignore it). A record that cannot be written (no key where one is
 * needed, a HASH value without fields) throws RecordError.
 */
import type { SinkRecord } from '../../connect/api/index.ts';
import type { RedisSinkSettings } from './config.ts';

/** The placeholder for the record topic in redis.keyspace. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Connect's ${...} syntax
export const TOPIC_VARIABLE = '${topic}';

export class RecordError extends Error {
  override readonly name = 'RecordError';
}

export type Arg = string | Buffer;
export type Command = [string, ...Arg[]];

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
    const data = (value as { data?: number[] }).data;
    if (Array.isArray(data)) return Buffer.from(data).toString('base64');
  }
  return value;
}

/** A value as Redis bytes: strings and bytes as they are, other scalars as text, objects as JSON. */
export function bytesOf(value: unknown): Arg {
  if (typeof value === 'string' || Buffer.isBuffer(value)) return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value, replacer);
}

function fieldsOf(value: unknown): [string, Arg][] | null {
  let entries: [unknown, unknown][];
  if (value instanceof Map) entries = [...value];
  else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value) && !Array.isArray(value))
    entries = Object.entries(value);
  else return null;
  return entries.filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [String(k), bytesOf(v)]);
}

/** The key prefix for a topic: `${topic}` in redis.keyspace replaced. */
export function keyspaceOf(settings: RedisSinkSettings, topic: string): string {
  return settings.keyspace.replaceAll(TOPIC_VARIABLE, topic);
}

function memberOf(settings: RedisSinkSettings, record: SinkRecord): Arg {
  if (record.key === null || record.key === undefined)
    throw new RecordError(
      `redis.type=${settings.type} uses the record key as the member, and this record has no key`,
    );
  return bytesOf(record.key);
}

function keyOf(settings: RedisSinkSettings, record: SinkRecord): Arg {
  if (record.key === null || record.key === undefined)
    throw new RecordError(
      `redis.type=${settings.type} needs a record key (the Redis key is <keyspace>${settings.separator}<record key>)`,
    );
  const prefix = keyspaceOf(settings, record.topic) + settings.separator;
  const key = bytesOf(record.key);
  return typeof key === 'string' ? prefix + key : Buffer.concat([Buffer.from(prefix), key]);
}

/** The commands for one record (in order). */
export function commandsFor(settings: RedisSinkSettings, record: SinkRecord): Command[] {
  const value = record.value;
  const ttl = settings.ttlSeconds > 0 ? String(settings.ttlSeconds) : null;
  switch (settings.type) {
    case 'STRING':
    case 'JSON': {
      const key = keyOf(settings, record);
      if (value === null || value === undefined) return [['DEL', key]];
      return [ttl ? ['SET', key, bytesOf(value), 'EX', ttl] : ['SET', key, bytesOf(value)]];
    }
    case 'HASH': {
      const key = keyOf(settings, record);
      if (value === null || value === undefined) return [['DEL', key]];
      const fields = fieldsOf(value);
      if (fields === null)
        throw new RecordError(
          `redis.type=HASH needs a value with fields (a struct or JSON object, e.g. through JsonConverter); got ${Buffer.isBuffer(value) ? 'bytes' : typeof value}`,
        );
      const commands: Command[] = [['DEL', key]];
      if (fields.length > 0) commands.push(['HSET', key, ...fields.flat()]);
      if (ttl && fields.length > 0) commands.push(['EXPIRE', key, ttl]);
      return commands;
    }
    case 'STREAM': {
      if (value === null || value === undefined) return [];
      const fields = fieldsOf(value) ?? [['value', bytesOf(value)] as [string, Arg]];
      if (fields.length === 0) return [];
      return [['XADD', keyspaceOf(settings, record.topic), '*', ...fields.flat()]];
    }
    case 'LIST': {
      const member = memberOf(settings, record);
      const list = keyspaceOf(settings, record.topic);
      if (value === null || value === undefined) return [['LREM', list, '0', member]];
      return [[settings.pushRight ? 'RPUSH' : 'LPUSH', list, member]];
    }
    case 'SET': {
      const member = memberOf(settings, record);
      const set = keyspaceOf(settings, record.topic);
      if (value === null || value === undefined) return [['SREM', set, member]];
      return [['SADD', set, member]];
    }
  }
}

/** Collection keys that get EXPIRE after a batch (STREAM, LIST, SET with a TTL). */
export function collectionKeys(settings: RedisSinkSettings, records: readonly SinkRecord[]): string[] {
  if (settings.ttlSeconds <= 0 || !['STREAM', 'LIST', 'SET'].includes(settings.type)) return [];
  return [...new Set(records.map((r) => keyspaceOf(settings, r.topic)))];
}
