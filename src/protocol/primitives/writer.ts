/**
 * Writer: appends Kafka primitive types to a list of chunks.
 *
 * Small values go into a growing scratch buffer; byte fields at or above ZERO_COPY_THRESHOLD are
 * appended as their own chunk without copying (record batches read from a segment go to the socket
 * as they are). `chunks()` returns the list for a vectored socket write; `toBuffer()` concatenates.
 * int64 values are bigint; nullable strings/bytes/arrays are written with Kafka's -1 / 0 markers.
 */
const ZERO_COPY_THRESHOLD = 512;
const MIN_SCRATCH = 4096;

export class Writer {
  private readonly done: Buffer[] = [];
  private scratch: Buffer;
  private start = 0;
  private pos = 0;
  /** Total bytes written so far. */
  length = 0;

  constructor(initialCapacity = MIN_SCRATCH) {
    this.scratch = Buffer.allocUnsafe(initialCapacity);
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.scratch.length) return;
    if (this.pos > this.start) this.done.push(this.scratch.subarray(this.start, this.pos));
    this.scratch = Buffer.allocUnsafe(Math.max(n, MIN_SCRATCH));
    this.start = 0;
    this.pos = 0;
  }

  writeInt8(v: number): this {
    this.reserve(1);
    this.scratch.writeInt8(v, this.pos);
    this.pos += 1;
    this.length += 1;
    return this;
  }

  writeUInt8(v: number): this {
    this.reserve(1);
    this.scratch[this.pos++] = v & 0xff;
    this.length += 1;
    return this;
  }

  writeBool(v: boolean): this {
    return this.writeInt8(v ? 1 : 0);
  }

  writeInt16(v: number): this {
    this.reserve(2);
    this.scratch.writeInt16BE(v, this.pos);
    this.pos += 2;
    this.length += 2;
    return this;
  }

  writeUInt16(v: number): this {
    this.reserve(2);
    this.scratch.writeUInt16BE(v, this.pos);
    this.pos += 2;
    this.length += 2;
    return this;
  }

  writeInt32(v: number): this {
    this.reserve(4);
    this.scratch.writeInt32BE(v, this.pos);
    this.pos += 4;
    this.length += 4;
    return this;
  }

  writeUInt32(v: number): this {
    this.reserve(4);
    this.scratch.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    this.length += 4;
    return this;
  }

  writeInt64(v: bigint): this {
    this.reserve(8);
    this.scratch.writeBigInt64BE(BigInt.asIntN(64, v), this.pos);
    this.pos += 8;
    this.length += 8;
    return this;
  }

  writeFloat64(v: number): this {
    this.reserve(8);
    this.scratch.writeDoubleBE(v, this.pos);
    this.pos += 8;
    this.length += 8;
    return this;
  }

  writeUVarint(v: number): this {
    this.reserve(5);
    let u = v >>> 0;
    while (u >= 0x80) {
      this.scratch[this.pos++] = (u & 0x7f) | 0x80;
      this.length++;
      u >>>= 7;
    }
    this.scratch[this.pos++] = u;
    this.length++;
    return this;
  }

  writeVarint(v: number): this {
    return this.writeUVarint((v << 1) ^ (v >> 31));
  }

  writeVarlong(v: number | bigint): this {
    const b = BigInt(v);
    let u = BigInt.asUintN(64, (b << 1n) ^ (b >> 63n));
    this.reserve(10);
    while (u >= 0x80n) {
      this.scratch[this.pos++] = Number(u & 0x7fn) | 0x80;
      this.length++;
      u >>= 7n;
    }
    this.scratch[this.pos++] = Number(u);
    this.length++;
    return this;
  }

  writeUuid(hex: string): this {
    this.reserve(16);
    const written = this.scratch.write(hex.padStart(32, '0').slice(0, 32), this.pos, 16, 'hex');
    if (written < 16) this.scratch.fill(0, this.pos + written, this.pos + 16);
    this.pos += 16;
    this.length += 16;
    return this;
  }

  /** Appends bytes without a length prefix. Large buffers become their own chunk (no copy). */
  writeRaw(bytes: Uint8Array): this {
    const n = bytes.length;
    if (n >= ZERO_COPY_THRESHOLD) {
      if (this.pos > this.start) this.done.push(this.scratch.subarray(this.start, this.pos));
      this.start = this.pos;
      this.done.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, n));
    } else {
      this.reserve(n);
      this.scratch.set(bytes, this.pos);
      this.pos += n;
    }
    this.length += n;
    return this;
  }

  private writeUtf8(v: string, byteLength: number): void {
    this.reserve(byteLength);
    this.scratch.write(v, this.pos, byteLength, 'utf8');
    this.pos += byteLength;
    this.length += byteLength;
  }

  writeNullableString(v: string | null): this {
    if (v === null) return this.writeInt16(-1);
    const n = Buffer.byteLength(v);
    this.writeInt16(n);
    this.writeUtf8(v, n);
    return this;
  }

  writeString(v: string): this {
    return this.writeNullableString(v);
  }

  writeCompactNullableString(v: string | null): this {
    if (v === null) return this.writeUVarint(0);
    const n = Buffer.byteLength(v);
    this.writeUVarint(n + 1);
    this.writeUtf8(v, n);
    return this;
  }

  writeCompactString(v: string): this {
    return this.writeCompactNullableString(v);
  }

  writeNullableBytes(v: Uint8Array | null): this {
    if (v === null) return this.writeInt32(-1);
    this.writeInt32(v.length);
    return this.writeRaw(v);
  }

  writeBytes(v: Uint8Array): this {
    return this.writeNullableBytes(v);
  }

  writeCompactNullableBytes(v: Uint8Array | null): this {
    if (v === null) return this.writeUVarint(0);
    this.writeUVarint(v.length + 1);
    return this.writeRaw(v);
  }

  writeCompactBytes(v: Uint8Array): this {
    return this.writeCompactNullableBytes(v);
  }

  writeArrayLength(n: number): this {
    return this.writeInt32(n);
  }

  writeCompactArrayLength(n: number): this {
    return this.writeUVarint(n < 0 ? 0 : n + 1);
  }

  /** Appends everything another writer holds (used for tagged fields, whose size comes first). */
  writeWriter(other: Writer): this {
    for (const c of other.chunks()) this.writeRaw(c);
    return this;
  }

  /** The written bytes as a list of buffers, in order. The writer must not be used afterwards. */
  chunks(): Buffer[] {
    if (this.pos > this.start) {
      this.done.push(this.scratch.subarray(this.start, this.pos));
      this.start = this.pos;
    }
    return this.done;
  }

  toBuffer(): Buffer {
    const c = this.chunks();
    return c.length === 1 ? c[0]! : Buffer.concat(c, this.length);
  }
}
