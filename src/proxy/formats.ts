/**
 * Confluent's content types and embedded formats. Requests to v2 produce name the format of the
 * keys and values in the Content-Type (`application/vnd.kafka.<format>.v2+json`); consumer
 * instances are created with a format and `GET .../records` must Accept the same one. Responses
 * are `application/vnd.kafka.v2+json` (v2) or `application/json` (v3).
 *
 * `json` (the value is any JSON, stored as its UTF-8 text) and `binary` (base64 in JSON, stored as
 * the bytes) are handled here; `avro`, `jsonschema` and `protobuf` go through the schema registry
 * (schema-formats.ts).
 */
import { RestError, unprocessable, unsupportedMediaType } from './errors.ts';

export const V2 = 'application/vnd.kafka.v2+json';
export const V3 = 'application/json';
export const EMBEDDED_FORMATS = ['json', 'binary', 'avro', 'jsonschema', 'protobuf'] as const;
export type EmbeddedFormat = (typeof EMBEDDED_FORMATS)[number];

const EMBEDDED = /^application\/vnd\.kafka\.(json|binary|avro|jsonschema|protobuf)\.v2\+json$/;
/** Media types a v2 request without embedded data may use (Confluent accepts these three). */
const PLAIN = new Set([V2, 'application/vnd.kafka+json', 'application/json']);

export function mediaType(format: EmbeddedFormat): string {
  return `application/vnd.kafka.${format}.v2+json`;
}

function essence(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The embedded format a v2 produce request declares (415 for anything else). */
export function produceFormat(contentType: string | undefined): EmbeddedFormat {
  const m = EMBEDDED.exec(essence(contentType));
  if (!m) {
    throw unsupportedMediaType(
      `HTTP 415 Unsupported Media Type: produce needs Content-Type application/vnd.kafka.{json,binary,avro,jsonschema,protobuf}.v2+json, got ${contentType ?? 'none'}`,
    );
  }
  return m[1] as EmbeddedFormat;
}

export function isSchemaFormat(format: EmbeddedFormat): format is 'avro' | 'jsonschema' | 'protobuf' {
  return format === 'avro' || format === 'jsonschema' || format === 'protobuf';
}

/** True when a v2 request body without embedded data has an acceptable Content-Type. */
export function isPlainV2(contentType: string | undefined): boolean {
  return contentType === undefined || PLAIN.has(essence(contentType));
}

/** Whether an Accept header admits `type` (absent, `*\/*`, `application/*` or the type itself). */
export function accepts(accept: string | undefined, type: string): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const t = essence(part);
    return t === '*/*' || t === 'application/*' || t === type;
  });
}

/** Encodes one json or binary key or value of a produce request (null stays null). */
export function encodeEmbedded(format: EmbeddedFormat, value: unknown, what: string): Buffer | null {
  if (value === null || value === undefined) return null;
  if (format === 'json') return Buffer.from(JSON.stringify(value));
  if (typeof value !== 'string') throw unprocessable(`${what}: binary data must be a base64 string`);
  return decodeBase64(value, what);
}

/** Strict base64 (standard alphabet, padding optional), as Jackson's byte[] mapping accepts. */
export function decodeBase64(text: string, what: string): Buffer {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) {
    throw unprocessable(
      `${what}: "${text.length > 40 ? `${text.slice(0, 40)}...` : text}" is not valid base64`,
    );
  }
  return Buffer.from(clean, 'base64');
}

/** A record's key or value as a json or binary consumer receives it. */
export function decodeEmbedded(format: EmbeddedFormat, bytes: Buffer | null, where: string): unknown {
  if (bytes === null) return null;
  if (format === 'binary') return bytes.toString('base64');
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RestError(
      500,
      50002,
      `Kafka error: ${where} is not JSON and cannot be returned in the json format`,
    );
  }
}
