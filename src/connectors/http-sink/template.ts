/**
 * `${...}` substitution in the URL and header values: `${topic}`, `${partition}`, `${offset}`,
 * `${key}` and `${header.NAME}` (a record header's value as text). Templates are compiled once; a
 * template without variables costs nothing per record. In URLs the substituted text is
 * percent-encoded.
 */
import type { SinkRecord } from '../../connect/api/index.ts';

export type Template = (record: SinkRecord) => string;

/** A record key or value as text: strings as they are, bytes as UTF-8, other values as JSON. */
export function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value, jsonReplacer);
}

/** JSON.stringify replacer for Connect values: bigints as numbers, bytes as base64, Maps as objects. */
export function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
    const data = (value as { data?: number[] }).data;
    if (Array.isArray(data)) return Buffer.from(data).toString('base64');
  }
  return value;
}

function variable(name: string): (record: SinkRecord) => string {
  if (name === 'topic') return (r) => r.topic;
  if (name === 'partition') return (r) => String(r.kafkaPartition);
  if (name === 'offset') return (r) => String(r.kafkaOffset);
  if (name === 'key') return (r) => asText(r.key);
  if (name.startsWith('header.')) {
    const header = name.slice('header.'.length);
    return (r) => {
      const found = r.headers.find((h) => h.key === header);
      return found === undefined ? '' : asText(found.value);
    };
  }
  throw new Error(`unknown variable \${${name}} (use topic, partition, offset, key or header.NAME)`);
}

export function hasVariables(text: string): boolean {
  return /\$\{[^}]+\}/.test(text);
}

export function compileTemplate(text: string, encode: (s: string) => string = (s) => s): Template {
  if (!hasVariables(text)) return () => text;
  const parts: ((r: SinkRecord) => string)[] = [];
  let last = 0;
  for (const match of text.matchAll(/\$\{([^}]+)\}/g)) {
    const literal = text.slice(last, match.index);
    if (literal !== '') parts.push(() => literal);
    const get = variable(match[1]!.trim());
    parts.push((r) => encode(get(r)));
    last = match.index + match[0].length;
  }
  const tail = text.slice(last);
  if (tail !== '') parts.push(() => tail);
  return (record) => {
    let out = '';
    for (const part of parts) out += part(record);
    return out;
  };
}
