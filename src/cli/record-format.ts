/**
 * How `topics:tail` shows a record. JSON: one object per line with topic, partition, offset,
 * timestamp, key, headers and value; keys and values that are not UTF-8 are base64 with a
 * `keyEncoding`/`valueEncoding` marker. Text: a header line, then the value (JSON pretty-printed),
 * cut at `--max-length` characters.
 */
import type { ConsumedRecord } from '../client/consumed-record.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Decoded {
  text: string;
  binary: boolean;
}

function decode(bytes: Buffer | null): Decoded | null {
  if (bytes === null) return null;
  try {
    return { text: utf8.decode(bytes), binary: false };
  } catch {
    return { text: bytes.toString('base64'), binary: true };
  }
}

export interface RecordJson {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: number;
  key: string | null;
  headers: { key: string; value: string | null }[];
  value: string | null;
  keyEncoding?: 'base64';
  valueEncoding?: 'base64';
}

/** The JSON object for a record; `topic` is the name to show (prefix stripped). */
export function recordJson(record: ConsumedRecord, topic: string): RecordJson {
  const key = decode(record.key);
  const value = decode(record.value);
  const json: RecordJson = {
    topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: Number(record.timestamp),
    key: key?.text ?? null,
    headers: record.headers.map(([k, v]) => ({
      key: k.toString('utf8'),
      value: v?.toString('utf8') ?? null,
    })),
    value: value?.text ?? null,
  };
  if (key?.binary) json.keyEncoding = 'base64';
  if (value?.binary) json.valueEncoding = 'base64';
  return json;
}

function pretty(text: string): string {
  const trimmed = text.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return text;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return text;
  }
}

function cut(text: string, maxLength: number | undefined): string {
  if (maxLength === undefined || text.length <= maxLength) return text;
  return `${text.slice(0, maxLength)}… (${text.length - maxLength} more characters)`;
}

function timestampText(ms: bigint): string {
  const date = new Date(Number(ms));
  return Number.isNaN(date.getTime()) || ms < 0n ? String(ms) : date.toISOString();
}

/** The text form: `partition 2  offset 41  2024-05-01T10:00:00.000Z  key k  h=v`, then the value. */
export function recordText(record: ConsumedRecord, maxLength?: number): string {
  const key = decode(record.key);
  const value = decode(record.value);
  const parts = [`partition ${record.partition}`, `offset ${record.offset}`, timestampText(record.timestamp)];
  if (key) parts.push(`key ${key.binary ? `base64:${key.text}` : key.text}`);
  for (const [k, v] of record.headers) parts.push(`${k.toString('utf8')}=${v?.toString('utf8') ?? ''}`);
  const body = value === null ? '(null)' : value.binary ? `base64:${value.text}` : pretty(value.text);
  return `${parts.join('  ')}\n${cut(body, maxLength)}`;
}

/** `--grep`: whether the key or value text matches. */
export function recordMatches(record: ConsumedRecord, pattern: RegExp): boolean {
  const key = record.key?.toString('utf8');
  const value = record.value?.toString('utf8');
  return (key !== undefined && pattern.test(key)) || (value !== undefined && pattern.test(value));
}
