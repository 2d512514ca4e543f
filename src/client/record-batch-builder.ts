/**
 * Builds one uncompressed RecordBatch (magic 2) record by record: each `append` writes the record
 * straight into the batch's growing buffer (no object kept per record), and `finish` writes the
 * header and the CRC-32C and hands out the bytes, ready for `BatchProducer.sendEncoded`. The base
 * timestamp is the first record's (later records may be older: their deltas are negative, as
 * Java's producer writes them). Keys and values may be given as text (written as UTF-8 straight
 * into the batch, with no Buffer of their own).
 *
 * For batches made from a list of records, compressed batches, or producer fields known up front
 * see record-batch-encoder.ts (the producer fields of a built batch are set by the producer).
 * Not done: compression.
 */
import {
  BATCH_HEADER_BYTES,
  copyInto,
  varintSize,
  writeBatchHeader,
  writeVarint,
} from './record-batch-format.ts';

const EMPTY = Buffer.alloc(0);
const MIN_BYTES = 1024;
/** Spare buffers a builder keeps (a partition has one batch in flight and one being built). */
const MAX_SPARE = 2;

type Utf8Buffer = Buffer & { utf8Write(text: string, offset: number, length: number): number };

/**
 * Writes `text` as its UTF-8 length (a zigzag varint) and bytes at `o` (room for 3 bytes per
 * UTF-16 unit assumed); returns the offset after it. Short ASCII text is copied in JavaScript; the
 * length varint is written after the bytes, which move when it is longer than the text's length
 * would make it (non-ASCII text only).
 */
function writeText(buf: Buffer, o: number, text: string): number {
  const n = text.length;
  const lengthBytes = varintSize(n);
  const at = o + lengthBytes;
  let written = 0;
  if (n < 64) {
    for (; written < n; written++) {
      const c = text.charCodeAt(written);
      if (c >= 0x80) break;
      buf[at + written] = c;
    }
  }
  if (written < n) written = (buf as Utf8Buffer).utf8Write(text, at, 3 * n);
  const actualBytes = varintSize(written);
  if (actualBytes !== lengthBytes) buf.copyWithin(o + actualBytes, at, at + written);
  return writeVarint(buf, o, written) + written;
}

export class RecordBatchBuilder {
  /** Empty between `finish` and the next `append` (an idle builder holds no buffer). */
  private buf: Buffer = EMPTY;
  private nextSize: number;
  private end = BATCH_HEADER_BYTES;
  private records = 0;
  private baseTimestamp = 0;
  private maxTimestamp = 0;
  /** Buffers of sent batches given back with `recycle`, for the next batches. */
  private readonly spare: Buffer[] = [];

  constructor(initialBytes = 16 * 1024) {
    this.nextSize = Math.max(initialBytes, MIN_BYTES);
  }

  /** Records appended since the last `finish`. */
  get count(): number {
    return this.records;
  }

  /** Bytes the batch would have now. */
  get bytes(): number {
    return this.end;
  }

  /**
   * Appends one record. `key` and `value` as bytes or as text (written as UTF-8); `timestamp`:
   * create time in ms (an integer); `headers`: names as bytes, a null value is a header without a
   * value.
   */
  append(
    key: Buffer | string | null,
    value: Buffer | string | null,
    timestamp: number,
    headers?: readonly (readonly [Buffer, Buffer | null])[],
  ): void {
    if (!Number.isSafeInteger(timestamp)) throw new RangeError(`timestamp ${timestamp} is not an integer`);
    if (this.records === 0) {
      this.baseTimestamp = timestamp;
      this.maxTimestamp = timestamp;
    } else if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const timestampDelta = timestamp - this.baseTimestamp;
    const offsetDelta = this.records;
    // the record's size with text counted as one byte per UTF-16 unit (exact for ASCII, a lower
    // bound otherwise: the size varints are fixed up after writing, see writeText)
    const keyLength = key === null ? -1 : key.length;
    const valueLength = value === null ? -1 : value.length;
    let size =
      1 +
      varintSize(timestampDelta) +
      varintSize(offsetDelta) +
      varintSize(keyLength) +
      Math.max(0, keyLength) +
      varintSize(valueLength) +
      Math.max(0, valueLength);
    if (headers === undefined || headers.length === 0) size += 1;
    else {
      size += varintSize(headers.length);
      for (const [k, v] of headers)
        size += varintSize(k.length) + k.length + (v === null ? 1 : varintSize(v.length) + v.length);
    }
    // room for text at 3 bytes per UTF-16 unit, and for its longer length varints
    let room = size + 5;
    if (typeof key === 'string') room += 2 * keyLength + 4;
    if (typeof value === 'string') room += 2 * valueLength + 4;
    if (this.end + room > this.buf.length) this.grow(this.end + room);
    const buf = this.buf;
    const start = this.end;
    const sizeBytes = varintSize(size);
    let o = start + sizeBytes;
    buf[o++] = 0; // attributes
    o = writeVarint(buf, o, timestampDelta);
    o = writeVarint(buf, o, offsetDelta);
    if (typeof key === 'string') o = writeText(buf, o, key);
    else {
      o = writeVarint(buf, o, keyLength);
      if (key !== null) o = copyInto(buf, o, key);
    }
    if (typeof value === 'string') o = writeText(buf, o, value);
    else {
      o = writeVarint(buf, o, valueLength);
      if (value !== null) o = copyInto(buf, o, value);
    }
    if (headers === undefined || headers.length === 0) buf[o++] = 0;
    else {
      o = writeVarint(buf, o, headers.length);
      for (const [k, v] of headers) {
        o = writeVarint(buf, o, k.length);
        o = copyInto(buf, o, k);
        if (v === null)
          buf[o++] = 1; // zigzag(-1)
        else {
          o = writeVarint(buf, o, v.length);
          o = copyInto(buf, o, v);
        }
      }
    }
    const actual = o - start - sizeBytes;
    if (actual !== size) {
      // text took more bytes than its length: the size varint may need more room
      const actualBytes = varintSize(actual);
      if (actualBytes !== sizeBytes) {
        buf.copyWithin(start + actualBytes, start + sizeBytes, o);
        o += actualBytes - sizeBytes;
      }
    }
    writeVarint(buf, start, actual);
    this.end = o;
    this.records++;
  }

  /**
   * Gives back the bytes of a batch this builder made once nothing reads them any more (its
   * produce request was answered): later batches are built in them instead of new Buffers.
   */
  recycle(batch: Buffer): void {
    if (this.spare.length >= MAX_SPARE) return;
    this.spare.push(Buffer.from(batch.buffer, batch.byteOffset, batch.buffer.byteLength - batch.byteOffset));
  }

  private grow(need: number): void {
    const size = Math.max(need, this.buf.length * 2, this.nextSize);
    if (this.end === BATCH_HEADER_BYTES) {
      // a new batch: in a spare buffer when one is large enough
      while (this.spare.length > 0) {
        const b = this.spare.pop()!;
        if (b.length >= size) {
          this.buf = b;
          return;
        }
      }
    }
    // never from Node's shared pool: a recycled batch's whole ArrayBuffer is the builder's
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.end);
    this.buf = next;
  }

  /**
   * The batch of the records appended so far (not idempotent, not transactional: producer id -1,
   * base offset 0); the builder starts a new batch in a new buffer. Null when there is no record.
   */
  finish(): Buffer | null {
    if (this.records === 0) return null;
    const batch = this.buf.subarray(0, this.end);
    writeBatchHeader(batch, {
      attributes: 0,
      count: this.records,
      baseTimestamp: this.baseTimestamp,
      maxTimestamp: this.maxTimestamp,
      producerId: -1n,
      producerEpoch: -1,
      baseSequence: -1,
      partitionLeaderEpoch: -1,
    });
    // the next batch starts with room for about as much as this one had, when its first record comes
    this.nextSize = Math.max(MIN_BYTES, Math.ceil(this.end * 1.125));
    this.buf = EMPTY;
    this.end = BATCH_HEADER_BYTES;
    this.records = 0;
    return batch;
  }
}
