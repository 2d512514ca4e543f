/**
 * PostgreSQL log sequence numbers: the `X/Y` text form (two hex halves) and the 64-bit integer form
 * Debezium puts in records (`source.lsn`) and offsets. LSNs are bigints here; they are written as
 * JSON numbers, exact up to 2^53 bytes of WAL (8 PiB).
 */

export type Lsn = bigint;

export const ZERO_LSN: Lsn = 0n;

export function parseLsn(text: string): Lsn {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!match) throw new Error(`invalid LSN "${text}"`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** The LSN as a JSON-safe number (offsets, `source.lsn`). */
export function lsnToNumber(lsn: Lsn): number {
  return Number(lsn);
}

/** Reads an LSN stored in an offset (a number, or a numeric string for very large values). */
export function lsnFromOffset(value: unknown): Lsn | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  return null;
}

export function maxLsn(a: Lsn, b: Lsn): Lsn {
  return a > b ? a : b;
}
