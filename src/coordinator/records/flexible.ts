/**
 * Helpers for the flexible (v4+) versions of __consumer_offsets values: version-dependent string,
 * bytes and array reads, and skipping tagged fields (we write none).
 */
import type { Reader } from '../../protocol/primitives/index.ts';

export function readStr(r: Reader, flexible: boolean): string {
  return flexible ? r.readCompactString() : r.readString();
}

export function readNullableStr(r: Reader, flexible: boolean): string | null {
  return flexible ? r.readCompactNullableString() : r.readNullableString();
}

export function readBytes(r: Reader, flexible: boolean): Buffer {
  return flexible ? r.readCompactBytes() : r.readBytes();
}

export function readArrayLength(r: Reader, flexible: boolean, minElementSize: number): number {
  return flexible ? r.readCompactArrayLength(minElementSize) : r.readArrayLength(minElementSize);
}

/** Skips a tagged-field section (uvarint count, then tag, size, bytes for each). */
export function skipTaggedFields(r: Reader): void {
  const count = r.readUVarint();
  for (let i = 0; i < count; i++) {
    r.readUVarint();
    r.readRaw(r.readUVarint());
  }
}
