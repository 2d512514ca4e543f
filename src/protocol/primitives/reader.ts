/**
 * Reader: bounds-checked decoding of Kafka primitive types from one Buffer.
 *
 * Every read checks the remaining length first, so a declared length larger than what is left is a
 * DecodeError before anything is allocated. Byte fields are returned as subarrays (no copy).
 * int64 values are bigint; varints follow Kafka's zig-zag (signed) and unsigned LEB128 encodings.
 */
import { DecodeError } from './decode-error.ts';

const textDecoder = new TextDecoder('utf-8', { fatal: false });

export class Reader {
  readonly buffer: Buffer;
  offset: number;
  readonly end: number;

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** Throws unless n more bytes are available. */
  ensure(n: number): void {
    if (n < 0 || this.offset + n > this.end) {
      throw new DecodeError(`need ${n} bytes at offset ${this.offset}, only ${this.end - this.offset} left`);
    }
  }

  readInt8(): number {
    this.ensure(1);
    return this.buffer.readInt8(this.offset++);
  }

  readUInt8(): number {
    this.ensure(1);
    return this.buffer[this.offset++]!;
  }

  readBool(): boolean {
    return this.readInt8() !== 0;
  }

  readInt16(): number {
    this.ensure(2);
    const v = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  readUInt16(): number {
    this.ensure(2);
    const v = this.buffer.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  readInt32(): number {
    this.ensure(4);
    const v = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  readUInt32(): number {
    this.ensure(4);
    const v = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  readInt64(): bigint {
    this.ensure(8);
    const v = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  readFloat64(): number {
    this.ensure(8);
    const v = this.buffer.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  /** Unsigned LEB128 varint, at most 5 bytes (32 bits). */
  readUVarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      this.ensure(1);
      const b = this.buffer[this.offset++]!;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    throw new DecodeError('unsigned varint longer than 5 bytes');
  }

  /** Zig-zag signed varint (int32). */
  readVarint(): number {
    const u = this.readUVarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zig-zag signed varlong (int64), returned as a number (record deltas and timestamps fit). */
  readVarlong(): number {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      this.ensure(1);
      const b = this.buffer[this.offset++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        const v = (result >> 1n) ^ -(result & 1n);
        return Number(v);
      }
      shift += 7n;
    }
    throw new DecodeError('varlong longer than 10 bytes');
  }

  readUuid(): string {
    this.ensure(16);
    const hex = this.buffer.toString('hex', this.offset, this.offset + 16);
    this.offset += 16;
    return hex;
  }

  /** Raw bytes without a length prefix, as a subarray of the underlying buffer. */
  readRaw(length: number): Buffer {
    this.ensure(length);
    const v = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return v;
  }

  private readUtf8(length: number): string {
    this.ensure(length);
    const v = textDecoder.decode(this.buffer.subarray(this.offset, this.offset + length));
    this.offset += length;
    return v;
  }

  /** int16-length string; -1 means null. */
  readNullableString(): string | null {
    const len = this.readInt16();
    if (len < 0) return null;
    return this.readUtf8(len);
  }

  readString(): string {
    const v = this.readNullableString();
    if (v === null) throw new DecodeError('non-nullable string was null');
    return v;
  }

  /** uvarint(length+1) string; 0 means null. */
  readCompactNullableString(): string | null {
    const len = this.readUVarint() - 1;
    if (len < 0) return null;
    return this.readUtf8(len);
  }

  readCompactString(): string {
    const v = this.readCompactNullableString();
    if (v === null) throw new DecodeError('non-nullable compact string was null');
    return v;
  }

  /** int32-length bytes; -1 means null. */
  readNullableBytes(): Buffer | null {
    const len = this.readInt32();
    if (len < 0) return null;
    return this.readRaw(len);
  }

  readBytes(): Buffer {
    const v = this.readNullableBytes();
    if (v === null) throw new DecodeError('non-nullable bytes were null');
    return v;
  }

  readCompactNullableBytes(): Buffer | null {
    const len = this.readUVarint() - 1;
    if (len < 0) return null;
    return this.readRaw(len);
  }

  readCompactBytes(): Buffer {
    const v = this.readCompactNullableBytes();
    if (v === null) throw new DecodeError('non-nullable compact bytes were null');
    return v;
  }

  /**
   * Array length (int32, -1 null). Each element takes at least minElementSize bytes, so a count
   * that cannot fit in the remaining bytes is rejected before any array is allocated.
   */
  readArrayLength(minElementSize = 1): number {
    const n = this.readInt32();
    if (n < 0) return -1;
    this.ensure(n * minElementSize);
    return n;
  }

  /** Compact array length (uvarint n+1, 0 null), with the same allocation guard. */
  readCompactArrayLength(minElementSize = 1): number {
    const n = this.readUVarint() - 1;
    if (n < 0) return -1;
    this.ensure(n * minElementSize);
    return n;
  }
}
