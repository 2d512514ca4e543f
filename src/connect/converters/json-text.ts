/**
 * JSON text for connect data: like JSON.stringify, but bigints are written as JSON numbers (int64
 * beyond 2^53), Buffers never reach it (converters base64 them first), and `{rawNumber}` writes a
 * decimal's digits as a JSON number (JsonConverter's `decimal.format=NUMERIC`).
 */

/** A conversion failure (Kafka's `DataException`): a bad record, handled under `errors.tolerance`. */
export class DataError extends Error {
  override readonly name = 'DataException';
}

const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return rawJSON(value.toString());
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const raw = (value as { rawNumber?: unknown }).rawNumber;
    if (typeof raw === 'string' && Object.keys(value).length === 1) return rawJSON(raw);
  }
  return value;
}

/** The native JSON.stringify with a replacer (JSON.rawJSON keeps int64 and decimal digits exact). */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, replacer) ?? 'null';
}
