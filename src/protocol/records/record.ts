/**
 * One record inside a RecordBatch v2, and its wire encoding:
 *
 *   length varint (bytes after it), attributes int8, timestampDelta varlong, offsetDelta varint,
 *   keyLength varint (-1 null), key, valueLength varint (-1 null), value,
 *   headerCount varint, headers: keyLength varint, key (utf-8), valueLength varint (-1 null), value.
 *
 * Offsets and timestamps are relative to the batch's baseOffset / baseTimestamp. Decoding is
 * bounds-checked through Reader: every length is checked against the bytes that are left before
 * anything is sliced or allocated, keys and values are subarrays of the input (no copies), and any
 * malformed input is a DecodeError.
 */
import { DecodeError, Reader, Writer } from '../primitives/index.ts';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface Record {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  /** Unused by Kafka so far; written as 0 unless set. */
  attributes?: number;
}

/** Alias for code that also needs TypeScript's built-in `Record<K, V>`. */
export type KafkaRecord = Record;

/** Smallest encoded record: length, attributes, two deltas, two null lengths, header count. */
export const MIN_RECORD_SIZE = 7;

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

function uvarintSize(u: number): number {
  let n = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

/** Encoded size of a zig-zag varint/varlong holding v (any safe integer). */
function zigzagSize(v: number): number {
  return uvarintSize(v >= 0 ? v * 2 : -v * 2 - 1);
}

function bytesSize(b: Buffer | null): number {
  return b === null ? 1 : zigzagSize(b.length) + b.length;
}

/** Varlong writer that stays off bigint for values in int32 range (same bytes either way). */
function writeVarlong(w: Writer, v: number): void {
  if (v >= INT32_MIN && v <= INT32_MAX) w.writeVarint(v);
  else w.writeVarlong(v);
}

function writeVarBytes(w: Writer, b: Buffer | null): void {
  if (b === null) {
    w.writeVarint(-1);
    return;
  }
  w.writeVarint(b.length);
  w.writeRaw(b);
}

/** Appends one encoded record (length prefix included) to `w`. */
export function encodeRecord(w: Writer, rec: Record): void {
  const headerKeys = rec.headers.map((h) => Buffer.from(h.key, 'utf8'));
  let size = 1 + zigzagSize(rec.timestampDelta) + zigzagSize(rec.offsetDelta);
  size += bytesSize(rec.key) + bytesSize(rec.value) + zigzagSize(rec.headers.length);
  for (let i = 0; i < rec.headers.length; i++) {
    size += bytesSize(headerKeys[i]!) + bytesSize(rec.headers[i]!.value);
  }
  w.writeVarint(size);
  w.writeInt8(rec.attributes ?? 0);
  writeVarlong(w, rec.timestampDelta);
  w.writeVarint(rec.offsetDelta);
  writeVarBytes(w, rec.key);
  writeVarBytes(w, rec.value);
  w.writeVarint(rec.headers.length);
  for (let i = 0; i < rec.headers.length; i++) {
    writeVarBytes(w, headerKeys[i]!);
    writeVarBytes(w, rec.headers[i]!.value);
  }
}

/** Encodes records back to back, as they appear in an uncompressed batch. */
export function encodeRecords(records: readonly Record[]): Buffer {
  const w = new Writer();
  for (const rec of records) encodeRecord(w, rec);
  return w.toBuffer();
}

/**
 * Zig-zag varlong as a number. Up to 7 bytes (49 bits) is decoded with plain arithmetic; longer
 * encodings go through Reader's bigint path.
 */
function readVarlong(r: Reader): number {
  const start = r.offset;
  let u = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    const b = r.readUInt8();
    u += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
    scale *= 128;
  }
  r.offset = start;
  return r.readVarlong();
}

function readVarBytes(r: Reader, what: string): Buffer | null {
  const len = r.readVarint();
  if (len === -1) return null;
  if (len < 0) throw new DecodeError(`invalid ${what} length ${len}`);
  return r.readRaw(len);
}

/** Decodes the record at r.offset and advances past it. */
export function decodeRecord(r: Reader): Record {
  const length = r.readVarint();
  if (length < MIN_RECORD_SIZE - 1) throw new DecodeError(`invalid record length ${length}`);
  r.ensure(length);
  const end = r.offset + length;
  const attributes = r.readInt8();
  const timestampDelta = readVarlong(r);
  const offsetDelta = r.readVarint();
  const key = readVarBytes(r, 'record key');
  const value = readVarBytes(r, 'record value');
  const count = r.readVarint();
  if (count < 0 || count * 2 > end - r.offset) throw new DecodeError(`invalid record header count ${count}`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < count; i++) {
    const k = readVarBytes(r, 'header key');
    if (k === null) throw new DecodeError('record header key is null');
    headers.push({ key: k.toString('utf8'), value: readVarBytes(r, 'header value') });
  }
  if (r.offset !== end) {
    throw new DecodeError(`record declares ${length} bytes but its fields take ${r.offset - end + length}`);
  }
  return { offsetDelta, timestampDelta, key, value, headers, attributes };
}

/** Decodes exactly `count` records filling all of `data` (a batch's decompressed records section). */
export function decodeRecords(data: Buffer, count: number): Record[] {
  if (count < 0 || count * MIN_RECORD_SIZE > data.length) {
    throw new DecodeError(`record count ${count} does not fit in ${data.length} bytes`);
  }
  const r = new Reader(data);
  const records: Record[] = [];
  for (let i = 0; i < count; i++) records.push(decodeRecord(r));
  if (r.remaining !== 0) throw new DecodeError(`${r.remaining} bytes left after ${count} records`);
  return records;
}
