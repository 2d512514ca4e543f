/**
 * A bounds-checked reader of Kafka's flexible-version wire types (INT16/32/64, UNSIGNED_VARINT,
 * COMPACT_STRING, tagged fields) over `buf[start, end)`, shared by the lean connection's response
 * header (kafka-socket.ts) and the Produce response (produce-wire.ts). Reading past `end` or a
 * varint longer than 5 bytes throws `WireFormatError` naming `what` was read. Not a general
 * codec: the generated ones in src/protocol are the broker's.
 */

/** A truncated or malformed response. */
export class WireFormatError extends Error {
  override name = 'WireFormatError';
}

export class WireReader {
  readonly #b: Buffer;
  readonly #end: number;
  readonly #what: string;
  #at: number;

  constructor(b: Buffer, what: string, start = 0, end = b.length) {
    this.#b = b;
    this.#what = what;
    this.#at = start;
    this.#end = end;
  }

  /** Where the next read starts. */
  get at(): number {
    return this.#at;
  }

  #need(n: number): void {
    if (this.#at + n > this.#end) throw new WireFormatError(`truncated ${this.#what}`);
  }

  int16(): number {
    this.#need(2);
    const v = this.#b.readInt16BE(this.#at);
    this.#at += 2;
    return v;
  }

  int32(): number {
    this.#need(4);
    const v = this.#b.readInt32BE(this.#at);
    this.#at += 4;
    return v;
  }

  int64(): bigint {
    this.#need(8);
    const v = this.#b.readBigInt64BE(this.#at);
    this.#at += 8;
    return v;
  }

  skip(n: number): void {
    this.#need(n);
    this.#at += n;
  }

  uvarint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      this.#need(1);
      const b = this.#b[this.#at++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
      if (mul > 2 ** 35) throw new WireFormatError(`bad varint in ${this.#what}`);
    }
  }

  compactString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    this.#need(n - 1);
    const s = this.#b.toString('utf8', this.#at, this.#at + n - 1);
    this.#at += n - 1;
    return s;
  }

  /** Skips a tagged-fields section. */
  tags(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint();
      this.skip(this.uvarint());
    }
  }
}
