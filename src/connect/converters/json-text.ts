/**
 * JSON text for connect data: like JSON.stringify, but bigints are written as JSON numbers (int64
 * beyond 2^53), Buffers never reach it (converters base64 them first), and `{rawNumber}` writes a
 * decimal's digits as a JSON number (JsonConverter's `decimal.format=NUMERIC`).
 */

/** A conversion failure (Kafka's `DataException`): a bad record, handled under `errors.tolerance`. */
export class DataError extends Error {
  override readonly name = 'DataException';
}

export function toJsonText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.rawNumber === 'string' && Object.keys(o).length === 1) return o.rawNumber;
    const parts: string[] = [];
    for (const [k, v] of Object.entries(o)) {
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(k)}:${toJsonText(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return 'null';
}
