/**
 * Walks the RecordBatch v2 headers in a Fetch response's records bytes without decoding records:
 * how many records, value-free byte count, and the offset after the last complete batch.
 */
export interface Walk {
  records: number;
  bytes: number;
  /** Offset following the last complete batch, or -1n when there was none. */
  nextOffset: bigint;
}

export function walkBatches(buf: Buffer | null): Walk {
  const out: Walk = { records: 0, bytes: 0, nextOffset: -1n };
  if (!buf) return out;
  let pos = 0;
  while (pos + 61 <= buf.length) {
    const size = 12 + buf.readInt32BE(pos + 8);
    if (pos + size > buf.length) break;
    const base = buf.readBigInt64BE(pos);
    out.nextOffset = base + BigInt(buf.readInt32BE(pos + 23)) + 1n;
    out.records += buf.readInt32BE(pos + 57);
    out.bytes += size;
    pos += size;
  }
  return out;
}
