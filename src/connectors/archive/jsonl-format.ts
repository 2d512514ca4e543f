/**
 * Archive files as gzip-compressed JSON lines, one record per line:
 * `{"topic","partition","offset","timestamp","key","value","headers":[{"key","value"}]}`. Keys,
 * values and header values that are valid UTF-8 are written as strings; other bytes go in
 * `key_base64` / `value_base64` / a header's `value_base64` instead, so nothing is lost and text
 * stays readable with `zcat | jq`. Offsets beyond 2^53 are written as strings.
 */
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip, gzip, constants as zlib } from 'node:zlib';
import { type ArchivedRecord, type FileSummary, summarize } from './record.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

function put(target: Record<string, unknown>, name: string, bytes: Buffer | null): void {
  if (bytes === null) target[name] = null;
  else if (isUtf8(bytes)) target[name] = bytes.toString('utf8');
  else target[`${name}_base64`] = bytes.toString('base64');
}

function take(source: Record<string, unknown>, name: string): Buffer | null {
  const b64 = source[`${name}_base64`];
  if (typeof b64 === 'string') return Buffer.from(b64, 'base64');
  const text = source[name];
  return typeof text === 'string' ? Buffer.from(text, 'utf8') : null;
}

export function recordLine(r: ArchivedRecord): string {
  const line: Record<string, unknown> = {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r.offset) : String(r.offset),
    timestamp: r.timestamp,
  };
  put(line, 'key', r.key);
  put(line, 'value', r.value);
  line.headers = r.headers.map(([key, value]) => {
    const h: Record<string, unknown> = { key };
    put(h, 'value', value);
    return h;
  });
  return JSON.stringify(line);
}

export function parseLine(text: string): ArchivedRecord {
  const o = JSON.parse(text) as Record<string, unknown>;
  return {
    topic: String(o.topic),
    partition: Number(o.partition),
    offset: BigInt(o.offset as number | string),
    timestamp: Number(o.timestamp),
    key: take(o, 'key'),
    value: take(o, 'value'),
    headers: ((o.headers as Record<string, unknown>[] | undefined) ?? []).map(
      (h) => [String(h.key), take(h, 'value') ?? Buffer.alloc(0)] as const,
    ),
  };
}

/** Gzip runs on libuv's thread pool, beside the task's own work. */
export async function encodeJsonl(records: readonly ArchivedRecord[]): Promise<Buffer> {
  let text = '';
  for (const r of records) text += `${recordLine(r)}\n`;
  return gzipAsync(text, { level: zlib.Z_BEST_SPEED + 2 });
}

export async function decodeJsonl(path: string): Promise<ArchivedRecord[]> {
  const text = (await gunzipAsync(await readFile(path))).toString('utf8');
  const out: ArchivedRecord[] = [];
  let start = 0;
  for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
    if (end > start) out.push(parseLine(text.slice(start, end)));
    start = end + 1;
  }
  if (start < text.length) out.push(parseLine(text.slice(start)));
  return out;
}

export async function summarizeJsonl(path: string): Promise<FileSummary> {
  return summarize(await decodeJsonl(path));
}
