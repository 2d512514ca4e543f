/**
 * Errors of the streams library and the deserialization exception handlers named as in Kafka
 * Streams (`default.deserialization.exception.handler`): LogAndContinueExceptionHandler skips the
 * record (counted in the `skipped-records` metric), LogAndFailExceptionHandler stops the application
 * with a StreamsException naming the topic, partition and offset.
 */

export class StreamsException extends Error {
  override readonly name: string = 'StreamsException';
}

/** A setting is missing or wrong; raised by the KafkaStreams constructor. */
export class StreamsConfigError extends StreamsException {
  override readonly name = 'StreamsConfigError';
}

/** A topology is not well formed (unknown parent or store, duplicate name, ...). */
export class TopologyException extends StreamsException {
  override readonly name = 'TopologyException';
}

/** Interactive queries: the store is not (yet, or no longer) queryable on this instance. */
export class InvalidStateStoreException extends StreamsException {
  override readonly name = 'InvalidStateStoreException';
}

/** This instance's producer was fenced: another instance owns its tasks now. */
export class TaskMigratedException extends StreamsException {
  override readonly name = 'TaskMigratedException';
}

export interface DeserializationContext {
  topic: string;
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

export type DeserializationHandlerResponse = 'CONTINUE' | 'FAIL';

export interface DeserializationExceptionHandler {
  handle(context: DeserializationContext, error: Error): DeserializationHandlerResponse;
}

export type Logger = {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
};

export function logAndContinueExceptionHandler(logger: Logger): DeserializationExceptionHandler {
  return {
    handle(context, error) {
      logger.warn(
        {
          topic: context.topic,
          partition: context.partition,
          offset: String(context.offset),
          err: error.message,
        },
        'skipping record that could not be deserialized (LogAndContinueExceptionHandler)',
      );
      return 'CONTINUE';
    },
  };
}

export function logAndFailExceptionHandler(logger: Logger): DeserializationExceptionHandler {
  return {
    handle(context, error) {
      logger.error(
        {
          topic: context.topic,
          partition: context.partition,
          offset: String(context.offset),
          err: error.message,
        },
        'record could not be deserialized (LogAndFailExceptionHandler)',
      );
      return 'FAIL';
    },
  };
}
