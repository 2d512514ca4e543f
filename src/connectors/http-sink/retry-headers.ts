/**
 * The headers a record carries through retry topics and into the dead-letter topic: where it came
 * from (original topic, partition, offset, timestamp), how often delivery failed, when it first
 * failed, the last HTTP status (0 for a connection error or timeout) and error, and, after a
 * Retry-After answer, the earliest time to try again. Dead-lettered records also get Kafka Connect's
 * `__connect.errors.*` headers so tools that read Connect's dead-letter queues understand them.
 * The record's own headers are kept; these are replaced at each hand-off.
 */
import type { OutgoingRecord, SinkRecord } from '../../connect/api/index.ts';

export const RETRY_HEADER_PREFIX = 'samsa.retry.';
export const CONNECT_ERRORS_PREFIX = '__connect.errors.';

export const RETRY_HEADERS = {
  originalTopic: 'samsa.retry.original.topic',
  originalPartition: 'samsa.retry.original.partition',
  originalOffset: 'samsa.retry.original.offset',
  originalTimestamp: 'samsa.retry.original.timestamp',
  attempt: 'samsa.retry.attempt',
  firstFailure: 'samsa.retry.first.failure.ms',
  lastStatus: 'samsa.retry.last.status',
  error: 'samsa.retry.error',
  notBefore: 'samsa.retry.not.before.ms',
} as const;

/** What is known about a record's earlier failed deliveries (none for a main-topic record). */
export interface RetryInfo {
  readonly originalTopic: string;
  readonly originalPartition: number;
  readonly originalOffset: bigint;
  readonly originalTimestamp: number;
  /** Failed delivery rounds so far. */
  readonly attempt: number;
  readonly firstFailureMs: number;
  readonly notBeforeMs: number;
}

export interface Failure {
  /** HTTP status, 0 for a connection error or timeout, -1 for a record that could not be sent. */
  readonly status: number;
  readonly error: string;
  /** Earliest time to try again (from Retry-After), epoch ms. */
  readonly notBeforeMs?: number;
}

function headerText(headers: readonly (readonly [string, Buffer])[], name: string): string | undefined {
  for (const [key, value] of headers) if (key === name) return value.toString('utf8');
  return undefined;
}

/** The retry information in a consumed record's raw headers, or null when it has none. */
export function readRetryInfo(record: SinkRecord): RetryInfo | null {
  const headers = record.raw.headers;
  const topic = headerText(headers, RETRY_HEADERS.originalTopic);
  if (topic === undefined) return null;
  const number = (name: string): number => {
    const n = Number(headerText(headers, name));
    return Number.isFinite(n) ? n : 0;
  };
  let offset = record.kafkaOffset;
  try {
    offset = BigInt(headerText(headers, RETRY_HEADERS.originalOffset) ?? '');
  } catch {}
  return {
    originalTopic: topic,
    originalPartition: number(RETRY_HEADERS.originalPartition),
    originalOffset: offset,
    originalTimestamp: number(RETRY_HEADERS.originalTimestamp),
    attempt: number(RETRY_HEADERS.attempt),
    firstFailureMs: number(RETRY_HEADERS.firstFailure),
    notBeforeMs: number(RETRY_HEADERS.notBefore),
  };
}

/** The record's own headers, without retry or Connect error headers. */
export function ownHeaders(headers: readonly (readonly [string, Buffer])[]): (readonly [string, Buffer])[] {
  return headers.filter(
    ([key]) => !key.startsWith(RETRY_HEADER_PREFIX) && !key.startsWith(CONNECT_ERRORS_PREFIX),
  );
}

export interface HandOffContext {
  readonly connectorName: string;
  readonly taskId: number;
  readonly now: number;
}

/**
 * The record to write to a retry or dead-letter topic: the original key, value and headers, with
 * retry headers for one more failed attempt. Dead-letter records also get Connect's error headers.
 */
export function handOffRecord(
  record: SinkRecord,
  previous: RetryInfo | null,
  failure: Failure,
  target: { topic: string; deadLetter: boolean },
  context: HandOffContext,
): OutgoingRecord {
  const original = previous ?? {
    originalTopic: record.originalTopic,
    originalPartition: record.originalKafkaPartition,
    originalOffset: record.originalKafkaOffset,
    originalTimestamp: record.raw.timestamp,
    attempt: 0,
    firstFailureMs: context.now,
    notBeforeMs: 0,
  };
  const text = (s: string | number | bigint): Buffer => Buffer.from(String(s));
  const headers: (readonly [string, Buffer])[] = ownHeaders(record.raw.headers);
  headers.push(
    [RETRY_HEADERS.originalTopic, text(original.originalTopic)],
    [RETRY_HEADERS.originalPartition, text(original.originalPartition)],
    [RETRY_HEADERS.originalOffset, text(original.originalOffset)],
    [RETRY_HEADERS.originalTimestamp, text(original.originalTimestamp)],
    [RETRY_HEADERS.attempt, text(original.attempt + 1)],
    [RETRY_HEADERS.firstFailure, text(original.firstFailureMs || context.now)],
    [RETRY_HEADERS.lastStatus, text(failure.status)],
    [RETRY_HEADERS.error, text(failure.error.slice(0, 2000))],
  );
  if (failure.notBeforeMs !== undefined && failure.notBeforeMs > context.now)
    headers.push([RETRY_HEADERS.notBefore, text(failure.notBeforeMs)]);
  if (target.deadLetter) {
    headers.push(
      [`${CONNECT_ERRORS_PREFIX}topic`, text(original.originalTopic)],
      [`${CONNECT_ERRORS_PREFIX}partition`, text(original.originalPartition)],
      [`${CONNECT_ERRORS_PREFIX}offset`, text(original.originalOffset)],
      [`${CONNECT_ERRORS_PREFIX}connector.name`, text(context.connectorName)],
      [`${CONNECT_ERRORS_PREFIX}task.id`, text(context.taskId)],
      [`${CONNECT_ERRORS_PREFIX}stage`, text('TASK_PUT')],
      [`${CONNECT_ERRORS_PREFIX}exception.class.name`, text('samsa.connect.http.DeliveryFailed')],
      [`${CONNECT_ERRORS_PREFIX}exception.message`, text(failure.error.slice(0, 2000))],
    );
  }
  return {
    topic: target.topic,
    key: record.raw.key,
    value: record.raw.value,
    headers,
    timestamp: context.now,
  };
}
