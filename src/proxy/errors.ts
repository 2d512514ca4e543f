/**
 * The proxy's errors in Confluent REST Proxy's shape: HTTP status plus a body
 * `{ "error_code": <status * 100 + n, or the status>, "message": "..." }`, with Confluent's codes
 * and messages where it defines them (io.confluent.kafkarest.Errors and rest-utils' generic ones).
 */

export class RestError extends Error {
  override readonly name = 'RestError';
  readonly status: number;
  readonly errorCode: number;

  constructor(status: number, errorCode: number, message: string) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  toJSON(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const topicNotFound = (): RestError => new RestError(404, 40401, 'Topic not found.');
export const partitionNotFound = (): RestError => new RestError(404, 40402, 'Partition not found.');
export const consumerInstanceNotFound = (): RestError =>
  new RestError(404, 40403, 'Consumer instance not found.');
export const leaderNotAvailable = (): RestError => new RestError(404, 40404, 'Leader not available.');
export const consumerFormatMismatch = (): RestError =>
  new RestError(
    406,
    40601,
    'The requested embedded data format does not match the deserializer for this consumer instance',
  );
export const consumerAlreadySubscribed = (): RestError =>
  new RestError(
    409,
    40901,
    'Consumer cannot subscribe the the specified target because it has already subscribed to other topics.',
  );
export const consumerAlreadyExists = (): RestError =>
  new RestError(
    409,
    40902,
    'Consumer with specified consumer ID already exists in the specified consumer group.',
  );
export const illegalState = (message: string): RestError =>
  new RestError(409, 40903, `Illegal state: ${message}`);
export const keySchemaMissing = (): RestError =>
  new RestError(422, 42201, 'Request includes keys but does not include key schema');
export const valueSchemaMissing = (): RestError =>
  new RestError(422, 42202, 'Request includes values but does not include value schema');
export const invalidConsumerConfig = (message: string): RestError =>
  new RestError(422, 42204, `Invalid consumer configuration: ${message}`);
export const invalidSchema = (message: string): RestError =>
  new RestError(422, 42205, `Invalid schema: ${message}`);
export const unprocessable = (message: string): RestError => new RestError(422, 422, message);
export const badRequest = (message: string): RestError => new RestError(400, 400, message);
export const notFound = (): RestError => new RestError(404, 404, 'HTTP 404 Not Found');
export const notAcceptable = (): RestError => new RestError(406, 406, 'HTTP 406 Not Acceptable');
export const unsupportedMediaType = (message = 'HTTP 415 Unsupported Media Type'): RestError =>
  new RestError(415, 415, message);
export const payloadTooLarge = (limit: number): RestError =>
  new RestError(413, 413, `Request body is larger than the limit of ${limit} bytes`);
export const unauthorized = (message = 'Unauthorized'): RestError => new RestError(401, 401, message);
export const notAuthorized = (topics: readonly string[]): RestError =>
  new RestError(403, 40301, `Not authorized to access topics: [${topics.join(', ')}]`);
export const kafkaError = (message: string): RestError =>
  new RestError(500, 50002, `Kafka error: ${message}`);
export const kafkaRetriableError = (message: string): RestError =>
  new RestError(500, 50003, `Retriable Kafka error: ${message}`);
