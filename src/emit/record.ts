/**
 * The emitter's unit of work, a Kafka record waiting to be sent, and its on-disk frame in the spool:
 *
 *   frame   = u32 payload length | u32 CRC-32C of payload | payload          (big-endian)
 *   payload = u8 version (1) | f64 timestamp ms | u16 topic length | topic
 *           | i32 key length (-1: none) | key | i32 value length (-1: none) | value
 *           | u16 header count | { u16 name length | name | i32 value length | value }*
 *
 * `decodeFrames` stops at the first frame that is incomplete or fails its checksum and says where,
 * so a torn write at the end of a spool file is cut off on recovery instead of being replayed.
 */
import { crc32c } from '@node-rs/crc32';

export interface QueuedRecord {
  topic: string;
  key: Buffer | undefined;
  value: Buffer | undefined;
  headers: [Buffer, Buffer][];
  /** Milliseconds since the epoch when emitted (also the Kafka record timestamp). */
  timestamp: number;
  /** Bytes this record counts against the buffer. */
  size: number;
}

export const FRAME_HEADER_BYTES = 8;
const VERSION = 1;

export function encodeFrame(r: QueuedRecord): Buffer {
  const topic = Buffer.from(r.topic);
  let length = 1 + 8 + 2 + topic.length + 4 + (r.key?.length ?? 0) + 4 + (r.value?.length ?? 0) + 2;
  for (const [k, v] of r.headers) length += 2 + k.length + 4 + v.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  let o = FRAME_HEADER_BYTES;
  o = frame.writeUInt8(VERSION, o);
  o = frame.writeDoubleBE(r.timestamp, o);
  o = frame.writeUInt16BE(topic.length, o);
  o += topic.copy(frame, o);
  o = writeBytes(frame, o, r.key);
  o = writeBytes(frame, o, r.value);
  o = frame.writeUInt16BE(r.headers.length, o);
  for (const [k, v] of r.headers) {
    o = frame.writeUInt16BE(k.length, o);
    o += k.copy(frame, o);
    o = writeBytes(frame, o, v);
  }
  frame.writeUInt32BE(length, 0);
  frame.writeUInt32BE(crc32c(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return frame;
}

function writeBytes(frame: Buffer, o: number, bytes: Buffer | undefined): number {
  if (bytes === undefined) return frame.writeInt32BE(-1, o);
  o = frame.writeInt32BE(bytes.length, o);
  return o + bytes.copy(frame, o);
}

export interface DecodedFrames {
  records: QueuedRecord[];
  /** Bytes of `buf` taken by whole, valid frames. */
  consumed: number;
  /** Why decoding stopped before the end of `buf`, when a frame was bad (not merely incomplete). */
  corrupt?: string;
}

/** Decodes whole frames from `buf` (up to `maxRecords`); stops at an incomplete or corrupt one. */
export function decodeFrames(buf: Buffer, maxRecords = Number.POSITIVE_INFINITY): DecodedFrames {
  const records: QueuedRecord[] = [];
  let o = 0;
  while (records.length < maxRecords && buf.length - o >= FRAME_HEADER_BYTES) {
    const length = buf.readUInt32BE(o);
    if (buf.length - o - FRAME_HEADER_BYTES < length) break;
    const payload = buf.subarray(o + FRAME_HEADER_BYTES, o + FRAME_HEADER_BYTES + length);
    if (crc32c(payload) !== buf.readUInt32BE(o + 4)) {
      return { records, consumed: o, corrupt: `checksum mismatch in the frame at byte ${o}` };
    }
    const record = decodePayload(payload);
    if (typeof record === 'string')
      return { records, consumed: o, corrupt: `${record} in the frame at byte ${o}` };
    records.push(record);
    o += FRAME_HEADER_BYTES + length;
  }
  return { records, consumed: o };
}

function decodePayload(p: Buffer): QueuedRecord | string {
  try {
    if (p.readUInt8(0) !== VERSION) return `unknown frame version ${p.readUInt8(0)}`;
    let o = 1;
    const timestamp = p.readDoubleBE(o);
    o += 8;
    const topicLength = p.readUInt16BE(o);
    o += 2;
    const topic = p.toString('utf8', o, o + topicLength);
    o += topicLength;
    const [key, o1] = readBytes(p, o);
    const [value, o2] = readBytes(p, o1);
    o = o2;
    const count = p.readUInt16BE(o);
    o += 2;
    const headers: [Buffer, Buffer][] = [];
    let size = 64 + topic.length + (key?.length ?? 0) + (value?.length ?? 0);
    for (let i = 0; i < count; i++) {
      const kl = p.readUInt16BE(o);
      o += 2;
      const k = Buffer.from(p.subarray(o, o + kl));
      o += kl;
      const [v, o3] = readBytes(p, o);
      o = o3;
      headers.push([k, v ?? Buffer.alloc(0)]);
      size += k.length + (v?.length ?? 0) + 4;
    }
    if (o !== p.length) return 'trailing bytes';
    return { topic, key, value, headers, timestamp, size };
  } catch {
    return 'truncated payload';
  }
}

function readBytes(p: Buffer, o: number): [Buffer | undefined, number] {
  const length = p.readInt32BE(o);
  o += 4;
  if (length < 0) return [undefined, o];
  if (o + length > p.length) throw new RangeError('out of range');
  return [Buffer.from(p.subarray(o, o + length)), o + length];
}

/** A record as the sender needs it (no buffer accounting). */
export type SenderRecord = Omit<QueuedRecord, 'size'>;

/**
 * The records of one batch as bytes, for the hand-over to the sender's worker thread (through its
 * shared ring, or one transferred ArrayBuffer; a structured clone of each record's Buffers would
 * copy their whole pool slabs):
 *
 *   batch  = u32 record count | record*
 *   record = f64 timestamp | u16 topic length | topic | i32 key length (-1: none) | key
 *          | i32 value length (-1: none) | value | u16 header count
 *          | { u16 name length | name | i32 value length | value }*               (little-endian)
 *
 * The spool's frame without its checksum: the bytes never leave the process. A topic length of
 * 0xffff means the previous record's topic, a header name length of 0xffff the previous record's
 * header at the same position (the emitter's encoder shares the header tuples that repeat: spec
 * version, source, type, content type), so neither side copies or allocates them again.
 */
const REPEAT = 0xffff;
export function packedLength(records: readonly QueuedRecord[]): number {
  let length = 4;
  let lastTopic: string | null = null;
  let last: readonly [Buffer, Buffer][] = [];
  for (const r of records) {
    length += 8 + 2 + 4 + (r.key?.length ?? 0) + 4 + (r.value?.length ?? 0) + 2;
    if (r.topic !== lastTopic) {
      lastTopic = r.topic;
      length += Buffer.byteLength(r.topic);
    }
    const headers = r.headers;
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i]!;
      length += h === last[i] ? 2 : 2 + h[0].length + 4 + h[1].length;
    }
    last = headers;
  }
  return length;
}

/** Writes the records at `buf[o]` (`packedLength(records)` bytes); returns the end. */
export function packInto(buf: Buffer, o: number, records: readonly QueuedRecord[]): number {
  o = buf.writeUInt32LE(records.length, o);
  let lastTopic: string | null = null;
  let last: readonly [Buffer, Buffer][] = [];
  for (const r of records) {
    o = buf.writeDoubleLE(r.timestamp, o);
    if (r.topic === lastTopic) {
      o = buf.writeUInt16LE(REPEAT, o);
    } else {
      lastTopic = r.topic;
      const topic = Buffer.from(r.topic);
      o = buf.writeUInt16LE(topic.length, o);
      buf.set(topic, o);
      o += topic.length;
    }
    o = packBytes(buf, o, r.key);
    o = packBytes(buf, o, r.value);
    const headers = r.headers;
    o = buf.writeUInt16LE(headers.length, o);
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i]!;
      if (h === last[i]) {
        o = buf.writeUInt16LE(REPEAT, o);
        continue;
      }
      o = buf.writeUInt16LE(h[0].length, o);
      buf.set(h[0], o);
      o += h[0].length;
      o = packBytes(buf, o, h[1]);
    }
    last = headers;
  }
  return o;
}

/** The same in an ArrayBuffer of its own (to transfer). */
export function packRecords(records: readonly QueuedRecord[]): ArrayBuffer {
  const ab = new ArrayBuffer(packedLength(records));
  packInto(Buffer.from(ab), 0, records);
  return ab;
}

function packBytes(buf: Buffer, o: number, bytes: Buffer | undefined): number {
  if (bytes === undefined) return buf.writeInt32LE(-1, o);
  o = buf.writeInt32LE(bytes.length, o);
  buf.set(bytes, o);
  return o + bytes.length;
}

/** The records of `packInto` at the start of `buf`, their Buffers views of `buf` (no copies). */
export function unpackRecords(buf: Buffer): SenderRecord[] {
  const count = buf.readUInt32LE(0);
  const records: SenderRecord[] = new Array(count);
  let o = 4;
  let topic = '';
  let last: [Buffer, Buffer][] = [];
  for (let i = 0; i < count; i++) {
    const timestamp = buf.readDoubleLE(o);
    o += 8;
    const topicLength = buf.readUInt16LE(o);
    o += 2;
    if (topicLength !== REPEAT) {
      topic = buf.toString('utf8', o, o + topicLength);
      o += topicLength;
    }
    let length = buf.readInt32LE(o);
    o += 4;
    const key = length < 0 ? undefined : buf.subarray(o, (o += length));
    length = buf.readInt32LE(o);
    o += 4;
    const value = length < 0 ? undefined : buf.subarray(o, (o += length));
    const n = buf.readUInt16LE(o);
    o += 2;
    const headers: [Buffer, Buffer][] = new Array(n);
    for (let h = 0; h < n; h++) {
      const nameLength = buf.readUInt16LE(o);
      o += 2;
      if (nameLength === REPEAT) {
        headers[h] = last[h]!;
        continue;
      }
      const name = buf.subarray(o, (o += nameLength));
      length = buf.readInt32LE(o);
      o += 4;
      headers[h] = [name, buf.subarray(o, (o += Math.max(length, 0)))];
    }
    records[i] = { topic, key, value, headers, timestamp };
    last = headers;
  }
  return records;
}
