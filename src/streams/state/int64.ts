/**
 * Big-endian 64-bit integers as JavaScript numbers (exact below 2^53), without a BigInt per call:
 * store keys, window starts, timestamps and Long values are written and read on every record.
 */
const TWO_32 = 4294967296;

export function writeInt64(b: Buffer, n: number, at: number): void {
  const hi = Math.floor(n / TWO_32);
  b.writeInt32BE(hi, at);
  b.writeUInt32BE(n - hi * TWO_32, at + 4);
}

export function readInt64(b: Buffer, at: number): number {
  return b.readInt32BE(at) * TWO_32 + b.readUInt32BE(at + 4);
}
