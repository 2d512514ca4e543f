/**
 * Kafka Connect's Decimal values (the unscaled integer as big-endian two's-complement bytes, with
 * the scale in the schema) ⇄ JavaScript numbers and decimal strings, for formats that carry
 * decimals as numbers (JSON Schema) or as unscaled bytes plus scale (Confluent's Protobuf Decimal).
 */

/** The unscaled integer of Connect's decimal bytes. */
export function unscaledOf(bytes: Buffer): bigint {
  if (bytes.length === 0) return 0n;
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return bytes[0]! & 0x80 ? n - (1n << BigInt(bytes.length * 8)) : n;
}

/** Connect's decimal bytes for an unscaled integer (the fewest bytes that keep the sign). */
export function bytesOf(unscaled: bigint): Buffer {
  const out: number[] = [];
  let n = unscaled;
  for (;;) {
    out.unshift(Number(n & 0xffn));
    n >>= 8n;
    const sign = out[0]! & 0x80;
    if ((n === 0n && !sign) || (n === -1n && sign)) break;
  }
  return Buffer.from(out);
}

/** The decimal string of Connect decimal bytes at a scale ("12.34"). */
export function decimalString(bytes: Buffer, scale: number): string {
  const unscaled = unscaledOf(bytes);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

/** Connect decimal bytes for a number or decimal string at a scale (rounding half away from zero). */
export function decimalBytes(value: number | string, scale: number): Buffer {
  const text = typeof value === 'number' ? value.toFixed(Math.min(scale + 2, 100)) : value.trim();
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new Error(`${value} is not a decimal number`);
  const [, sign, whole = '', frac = ''] = m;
  const kept = (frac + '0'.repeat(scale)).slice(0, scale);
  let unscaled = BigInt(`${whole || '0'}${kept}`);
  if ((frac[scale] ?? '0') >= '5') unscaled += 1n;
  return bytesOf(sign === '-' ? -unscaled : unscaled);
}
