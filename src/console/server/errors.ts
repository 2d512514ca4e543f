/**
 * The console API's errors: `{ "error": "message" }` with an HTTP status. Kafka errors from the
 * client library become 400 (a request the broker refused: TOPIC_ALREADY_EXISTS, INVALID_CONFIG,
 * ...), 403 (not authorised), 404 (unknown topic or group) or 502 (the broker cannot be reached),
 * with the Kafka error name in the message.
 */
import { describe, kafkaErrorName } from '../../proxy/kafka.ts';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function apiErrorOf(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 600)
    return new ApiError(status, (err as Error).message);
  const name = kafkaErrorName(err);
  const text = describe(err);
  if (name === undefined) {
    const unknown = /^Unknown topic (.+?)\.?$/.exec(text);
    if (unknown) return new ApiError(404, `topic ${unknown[1]} not found`);
    if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|timed? ?out|Cannot connect/i.test(text))
      return new ApiError(502, `the Kafka cluster cannot be reached: ${text}`);
    return new ApiError(500, text);
  }
  if (/AUTHORIZATION_FAILED$/.test(name)) return new ApiError(403, `${name}: not authorised`);
  if (name === 'UNKNOWN_TOPIC_OR_PARTITION' || name === 'GROUP_ID_NOT_FOUND') return new ApiError(404, name);
  const detail = text.replace(/^.*?Received response with error while executing API \S+\.?\s*/, '');
  return new ApiError(400, detail && detail !== name ? `${name}: ${detail}` : name);
}
