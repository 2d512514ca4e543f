/**
 * The message browser's reads: one page of one partition from the beginning, the end, an offset or
 * a timestamp, optionally filtered by text in key, value or headers. A page reads forward from its
 * start up to the high watermark, at most `limit` matching records and at most `SCAN_LIMIT` records
 * scanned, so a topic of any size is never loaded into memory. Keys, values and header values go
 * out base64-encoded; the UI decodes them (string, JSON, hex); values in the schema registry's wire
 * format also come decoded (registry-decode.ts). All partitions merged by time: merged.ts.
 */
import type { Admin, Consumer } from '@platformatic/kafka';
import type { ConsumedRecord } from '../../client/consumed-record.ts';
import { listOffsets } from '../../client/offsets.ts';
import { readPartitions } from '../../client/partition-reader.ts';

export const MAX_PAGE = 500;
/** Records scanned at most per filtered page. */
export const SCAN_LIMIT = 20_000;
/**
 * A page's reads stop after this long with what they found: a range holding only records a reader
 * never sees (aborted transactions, control records) would otherwise be waited on forever.
 */
export const PAGE_DEADLINE_MS = 10_000;

export type PageStart =
  | { from: 'beginning' }
  | { from: 'end' }
  | { from: 'offset'; offset: number }
  | { from: 'timestamp'; timestamp: number };

export interface BrowsedMessage {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
  /** Key and value decoded through the schema registry, when in its wire format. */
  schema?: { key?: DecodedValue; value?: DecodedValue };
}

export interface DecodedValue {
  id: number;
  type?: string;
  /** The decoded value (JSON), or why it could not be decoded. */
  value?: unknown;
  error?: string;
}

export interface MessagePage {
  partition: number;
  low: number;
  high: number;
  /** First offset read. */
  start: number;
  /** Offset the next page starts at. */
  next: number;
  scanned: number;
  messages: BrowsedMessage[];
}

export function matches(
  r: { key: Buffer | null; value: Buffer | null; headers: [Buffer, Buffer | null][] },
  text: string,
): boolean {
  if (r.key?.includes(text) || r.value?.includes(text)) return true;
  return r.headers.some(([k, v]) => k.includes(text) || v?.includes(text));
}

/** A record as the browser gets it: bytes base64-encoded. */
export function browsed(r: ConsumedRecord): BrowsedMessage {
  return {
    partition: r.partition,
    offset: Number(r.offset),
    timestamp: Number(r.timestamp),
    key: r.key?.toString('base64') ?? null,
    value: r.value?.toString('base64') ?? null,
    headers: r.headers.map(([k, v]) => ({
      key: k.toString('utf8'),
      value: v?.toString('base64') ?? null,
    })),
  };
}

export async function readPage(
  admin: Admin,
  consumer: Consumer,
  topic: string,
  partition: number,
  start: PageStart,
  limit: number,
  filter: string,
): Promise<MessagePage> {
  const partitions = new Map([[topic, [partition]]]);
  const [lowOffsets, highOffsets] = await Promise.all([
    listOffsets(admin, partitions, 'earliest'),
    listOffsets(admin, partitions, 'latest'),
  ]);
  const low = Number(lowOffsets.get(topic)?.get(partition) ?? 0n);
  const high = Number(highOffsets.get(topic)?.get(partition) ?? 0n);
  let first: number;
  if (start.from === 'beginning') first = low;
  else if (start.from === 'end') first = Math.max(low, high - limit);
  else if (start.from === 'offset') first = Math.min(Math.max(start.offset, low), high);
  else {
    const at = Number(
      (await listOffsets(admin, partitions, { timestamp: start.timestamp })).get(topic)?.get(partition) ??
        -1n,
    );
    first = at < 0 ? high : Math.max(at, low);
  }
  const page: MessagePage = { partition, low, high, start: first, next: first, scanned: 0, messages: [] };
  if (first >= high) return page;
  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(), PAGE_DEADLINE_MS);
  const records = readPartitions({
    consumer,
    topic,
    positions: new Map([[partition, BigInt(first)]]),
    signal: abort.signal,
    maxWaitMs: 50,
    // A page needs little: ask for about what it shows (more when filtering), not 4 MiB a fetch.
    partitionMaxBytes: filter === '' ? Math.max(64 * 1024, limit * 1024) : 1024 * 1024,
  });
  try {
    for await (const r of records) {
      const offset = Number(r.offset);
      if (offset >= high) break;
      page.scanned++;
      page.next = offset + 1;
      if (filter === '' || matches(r, filter)) page.messages.push(browsed(r));
      if (page.messages.length >= limit || page.scanned >= SCAN_LIMIT || page.next >= high) break;
    }
  } finally {
    clearTimeout(deadline);
    abort.abort();
    await records.return(undefined);
  }
  return page;
}
