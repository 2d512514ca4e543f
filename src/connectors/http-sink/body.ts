/**
 * Request bodies, as Confluent's HTTP sink builds them: each record value becomes text
 * (`request.body.format=string`) or JSON (`json`), and a batch is those texts joined by
 * `batch.separator` between `batch.prefix` and `batch.suffix`, or a JSON array with
 * `batch.json.as.array=true`. A value that cannot become a body part (JSON text that does not
 * parse) is a malformed record: it is reported on its own instead of spoiling its batch.
 */
import { asText, jsonReplacer } from './template.ts';

export class MalformedRecordError extends Error {
  override readonly name = 'MalformedRecordError';
}

export interface BodySettings {
  readonly bodyFormat: 'string' | 'json';
  readonly jsonArray: boolean;
  readonly prefix: string;
  readonly suffix: string;
  readonly separator: string;
}

/** One record's part of a request body. Throws MalformedRecordError. */
export function bodyPart(value: unknown, settings: BodySettings): string {
  if (settings.bodyFormat === 'string') return asText(value);
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    const text = typeof value === 'string' ? value : value.toString('utf8');
    try {
      JSON.parse(text);
    } catch (err) {
      throw new MalformedRecordError(
        `request.body.format=json but the record value is not JSON: ${(err as Error).message}`,
      );
    }
    return text;
  }
  try {
    const text = JSON.stringify(value, jsonReplacer);
    if (text === undefined) throw new Error(`a ${typeof value} has no JSON form`);
    return text;
  } catch (err) {
    throw new MalformedRecordError(`the record value cannot be written as JSON: ${(err as Error).message}`);
  }
}

export function requestBody(parts: readonly string[], settings: BodySettings): string {
  if (settings.bodyFormat === 'json' && settings.jsonArray) return `[${parts.join(',')}]`;
  return settings.prefix + parts.join(settings.separator) + settings.suffix;
}

export function contentType(settings: BodySettings): string {
  return settings.bodyFormat === 'json' ? 'application/json' : 'text/plain; charset=utf-8';
}
