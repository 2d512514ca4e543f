/**
 * Archive files in Apache Parquet, written with hyparquet-writer and read with hyparquet (chosen
 * over @dsnp/parquetjs: about ten times faster on these rows, see docs/connectors/archive.md).
 * Schema: topic (UTF8), partition (INT32), offset (INT64), timestamp (INT64, TIMESTAMP millis UTC),
 * key and value (optional BYTE_ARRAY, the raw bytes), headers (LIST of {key UTF8, value BYTE_ARRAY}),
 * Snappy-compressed (or not, with `parquet.codec=none`). The footer's key-value metadata holds the file's record count, offset and
 * timestamp ranges, so listing an archive reads only footers.
 */
import { readFile } from 'node:fs/promises';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { type ArchivedRecord, type FileSummary, summarize } from './record.ts';

const SCHEMA = [
  { name: 'root', num_children: 7 },
  { name: 'topic', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'partition', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'offset', type: 'INT64', repetition_type: 'REQUIRED' },
  {
    name: 'timestamp',
    type: 'INT64',
    repetition_type: 'REQUIRED',
    converted_type: 'TIMESTAMP_MILLIS',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
  },
  { name: 'key', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
  { name: 'value', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
  { name: 'headers', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', repetition_type: 'REQUIRED', num_children: 2 },
  { name: 'key', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'value', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
] as const;

const META = 'samsa.archive.';

/**
 * Offsets, timestamps and values are written PLAIN: they are (nearly) all distinct, so trying a
 * dictionary for them only costs time. Keys and headers keep the writer's choice.
 */
export function encodeParquet(
  records: readonly ArchivedRecord[],
  codec: 'SNAPPY' | 'UNCOMPRESSED' = 'SNAPPY',
): Uint8Array {
  const n = records.length;
  const topic = new Array<string>(n);
  const partition = new Int32Array(n);
  const offset = new Array<bigint>(n);
  const timestamp = new Array<bigint>(n);
  const key = new Array<Uint8Array | null>(n);
  const value = new Array<Uint8Array | null>(n);
  const headers = new Array<{ key: string; value: Uint8Array }[]>(n);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    topic[i] = r.topic;
    partition[i] = r.partition;
    offset[i] = r.offset;
    timestamp[i] = BigInt(r.timestamp);
    key[i] = r.key;
    value[i] = r.value;
    headers[i] = r.headers.map(([k, v]) => ({ key: k, value: v }));
  }
  const summary = summarize(records);
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'topic', data: topic },
      { name: 'partition', data: partition },
      { name: 'offset', data: offset, encoding: 'PLAIN' },
      { name: 'timestamp', data: timestamp, encoding: 'PLAIN' },
      { name: 'key', data: key },
      { name: 'value', data: value, encoding: 'PLAIN' },
      { name: 'headers', data: headers },
    ],
    schema: SCHEMA as never,
    statistics: false,
    codec,
    rowGroupSize: 100_000,
    kvMetadata: [
      { key: `${META}count`, value: String(summary.count) },
      { key: `${META}first.offset`, value: String(summary.firstOffset) },
      { key: `${META}last.offset`, value: String(summary.lastOffset) },
      { key: `${META}min.timestamp`, value: String(summary.minTimestamp) },
      { key: `${META}max.timestamp`, value: String(summary.maxTimestamp) },
    ],
    createdBy: 'samsa archive sink',
  });
  return new Uint8Array(buffer);
}

const bytes = (v: unknown): Buffer | null =>
  v === null || v === undefined
    ? null
    : typeof v === 'string'
      ? Buffer.from(v)
      : Buffer.from((v as Uint8Array).buffer, (v as Uint8Array).byteOffset, (v as Uint8Array).byteLength);

export async function decodeParquet(path: string): Promise<ArchivedRecord[]> {
  const data = await readFile(path);
  const file = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file, utf8: false })) as Record<string, unknown>[];
  return rows.map((row) => ({
    topic: typeof row.topic === 'string' ? row.topic : Buffer.from(row.topic as Uint8Array).toString('utf8'),
    partition: Number(row.partition),
    offset: BigInt(row.offset as bigint),
    timestamp: row.timestamp instanceof Date ? row.timestamp.getTime() : Number(row.timestamp),
    key: bytes(row.key),
    value: bytes(row.value),
    headers: ((row.headers as { key: unknown; value: unknown }[] | null) ?? []).map(
      (h) =>
        [
          typeof h.key === 'string' ? h.key : Buffer.from(h.key as Uint8Array).toString('utf8'),
          bytes(h.value) ?? Buffer.alloc(0),
        ] as const,
    ),
  }));
}

/** The file's summary from its footer only. */
export async function summarizeParquet(path: string): Promise<FileSummary> {
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
  const kv = new Map((metadata.key_value_metadata ?? []).map((e) => [e.key, e.value ?? '']));
  const count = kv.get(`${META}count`);
  if (count === undefined) return summarize(await decodeParquet(path));
  return {
    count: Number(count),
    firstOffset: BigInt(kv.get(`${META}first.offset`) ?? '-1'),
    lastOffset: BigInt(kv.get(`${META}last.offset`) ?? '-1'),
    minTimestamp: Number(kv.get(`${META}min.timestamp`) ?? 0),
    maxTimestamp: Number(kv.get(`${META}max.timestamp`) ?? 0),
  };
}
