/**
 * Produce (key 0), versions 0-11. Each partition's records are validated per batch (magic 2, CRC,
 * sizes against the topic's max.message.bytes, record counts) and appended; the broker assigns
 * offsets by rewriting each batch's baseOffset. acks=0 sends no response, acks=1 answers once the
 * batch is written to the OS, acks=-1 also waits for fsync when the broker runs with --fsync always
 * (group commit). Magic 0/1 batches (Produce v0-2 message sets) get UNSUPPORTED_FOR_MESSAGE_FORMAT.
 * LogAppendTime topics get the broker timestamp written into the batch and echoed back; on
 * CreateTime topics message.timestamp.difference.max.ms (before/after.max.ms) is enforced per record
 * (INVALID_TIMESTAMP).
 * Idempotent/transactional batches are checked per batch against the partition's producer state
 * (src/log/producer-state.ts): INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER, and a retried
 * duplicate of one of the producer's last 5 batches answers success with its original base offset.
 * Topics with confluent.key/value.schema.validation=true accept only records whose key/value
 * carries a schema id registered for the topic's subject (INVALID_RECORD otherwise; see
 * ../schema-validation.ts).
 * A producer over its `producer_byte_rate` quota is throttled (throttle_time_ms, connection muted).
 * Authorization: WRITE on each topic (TOPIC_AUTHORIZATION_FAILED for its partitions), and WRITE on
 * the transactional id for transactional produce (TRANSACTIONAL_ID_AUTHORIZATION_FAILED for all).
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type ProduceRequest,
  readProduceRequest,
} from '../../protocol/generated/messages/produce-request.ts';
import {
  defaultProduceResponsePartitionProduceResponse,
  type ProduceResponse,
  type ProduceResponsePartitionProduceResponse,
  writeProduceResponse,
} from '../../protocol/generated/messages/produce-response.ts';
import { COMPRESSION_MASK, COMPRESSION_ZSTD } from '../../protocol/records/batch-header.ts';
import { validateProducedBatches } from '../../protocol/records/validate.ts';
import { canTopic, canTransactionalId, Operation } from '../authz.ts';
import { defineHandler, type RequestContext, serves } from '../handler.ts';
import type { TopicCounters } from '../metrics.ts';
import { findTimestampViolation } from '../produce-timestamps.ts';
import { findSchemaViolation } from '../schema-validation.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(0, 0, 11);

function partitionError(
  index: number,
  errorCode: number,
  message: string | null,
): ProduceResponsePartitionProduceResponse {
  const res = defaultProduceResponsePartitionProduceResponse();
  res.index = index;
  res.errorCode = errorCode;
  res.baseOffset = -1n;
  res.errorMessage = message;
  return res;
}

interface Pending {
  res: ProduceResponsePartitionProduceResponse;
  durable: Promise<void> | null;
  /** Records appended (0 for a retried duplicate). */
  appended?: number;
}

/** Bumps the topic's metrics counters for one partition's outcome (metrics.ts). */
function count(stats: TopicCounters, errorCode: number, records: Buffer | null, appended: number): void {
  stats.produceRequests++;
  if (errorCode !== ErrorCode.NONE) {
    stats.failedProduceRequests++;
    stats.bytesRejected += records?.length ?? 0;
  } else if (appended > 0) {
    stats.messagesIn += appended;
    stats.bytesIn += records?.length ?? 0;
  }
}

function appendPartition(
  ctx: RequestContext,
  topicName: string,
  index: number,
  records: Buffer | null,
  acks: number,
): Pending {
  const { topics } = ctx.services;
  const topic = topics.get(topicName);
  const log = topic ? topics.partition(topicName, index) : undefined;
  if (!topic || !log)
    return { res: partitionError(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null), durable: null };
  if (records === null || records.length === 0) {
    return {
      res: partitionError(index, ErrorCode.INVALID_RECORD, 'Produce request carried no records'),
      durable: null,
    };
  }
  const check = validateProducedBatches(records, { maxMessageBytes: topic.maxMessageBytes });
  if (!check.ok) {
    const res = partitionError(index, check.errorCode, check.message);
    res.recordErrors = (check.recordErrors ?? []).map((e) => ({
      batchIndex: e.batchIndex,
      batchIndexErrorMessage: e.message,
    }));
    return { res, durable: null };
  }
  if (
    ctx.apiVersion < 7 &&
    check.batches.some((b) => (b.header.attributes & COMPRESSION_MASK) === COMPRESSION_ZSTD)
  ) {
    const message = 'zstd-compressed batches need Produce v7 or later';
    return { res: partitionError(index, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, message), durable: null };
  }
  const late = topic.logAppendTime
    ? null
    : findTimestampViolation(records, Date.now(), topic.timestampBeforeMaxMs, topic.timestampAfterMaxMs);
  if (late) {
    const res = partitionError(index, ErrorCode.INVALID_TIMESTAMP, late.message);
    res.recordErrors = [{ batchIndex: late.batchIndex, batchIndexErrorMessage: late.message }];
    return { res, durable: null };
  }
  const invalid = findSchemaViolation(topicName, topic.configs, records, ctx.services.schemaIds);
  if (invalid) {
    const res = partitionError(index, ErrorCode.INVALID_RECORD, invalid.message);
    res.recordErrors = [{ batchIndex: invalid.batchIndex, batchIndexErrorMessage: invalid.message }];
    return { res, durable: null };
  }
  const producer = log.checkProducers(records);
  if (producer.kind === 'error') {
    return { res: partitionError(index, producer.errorCode, producer.message), durable: null };
  }
  if (producer.kind === 'duplicate') {
    // A retried batch already in the log: answer with its original offsets, as Kafka does.
    const res = defaultProduceResponsePartitionProduceResponse();
    res.index = index;
    res.baseOffset = BigInt(producer.baseOffset);
    res.logStartOffset = BigInt(log.logStartOffset);
    const durable =
      acks === -1 && ctx.services.config.fsync === 'always' ? log.whenDurable(producer.lastOffset) : null;
    return { res, durable };
  }
  const logAppendTime = topic.logAppendTime ? Date.now() : undefined;
  const appended = log.append(records, { logAppendTime });
  const res = defaultProduceResponsePartitionProduceResponse();
  res.index = index;
  res.baseOffset = BigInt(appended.baseOffset);
  res.logAppendTimeMs = logAppendTime === undefined ? -1n : BigInt(logAppendTime);
  res.logStartOffset = BigInt(log.logStartOffset);
  const durable =
    acks === -1 && ctx.services.config.fsync === 'always' ? log.whenDurable(appended.lastOffset) : null;
  return { res, durable, appended: appended.lastOffset - appended.baseOffset + 1 };
}

export const produceHandler = defineHandler<ProduceRequest, ProduceResponse>({
  ...SERVES,
  name: 'Produce',
  readRequest: readProduceRequest,
  writeResponse: writeProduceResponse,
  handle(req, ctx) {
    const validAcks = req.acks === -1 || req.acks === 0 || req.acks === 1;
    const waits: Promise<void>[] = [];
    const metrics = ctx.services.metrics;
    const response: ProduceResponse = { responses: [], throttleTimeMs: 0, nodeEndpoints: [] };
    const txnDenied =
      req.transactionalId !== null && !canTransactionalId(ctx, Operation.WRITE, req.transactionalId);
    for (const t of req.topicData) {
      const partitionResponses: ProduceResponsePartitionProduceResponse[] = [];
      const denied = txnDenied
        ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
        : canTopic(ctx, Operation.WRITE, t.name)
          ? null
          : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      const stats =
        metrics && denied === null && ctx.services.topics.get(t.name) ? metrics.topic(t.name) : undefined;
      for (const p of t.partitionData) {
        if (denied !== null) {
          partitionResponses.push(partitionError(p.index, denied, null));
          continue;
        }
        if (!validAcks) {
          partitionResponses.push(
            partitionError(
              p.index,
              ErrorCode.INVALID_REQUIRED_ACKS,
              `acks must be -1, 0 or 1, got ${req.acks}`,
            ),
          );
          continue;
        }
        try {
          const { res, durable, appended } = appendPartition(ctx, t.name, p.index, p.records, req.acks);
          if (durable) waits.push(durable);
          partitionResponses.push(res);
          if (stats) count(stats, res.errorCode, p.records, appended ?? 0);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
          ctx.services.logThrottle.error(
            ctx.services.logger,
            `append:${code}`,
            { err, topic: t.name, partition: p.index },
            'append failed',
          );
          const message = `append failed: ${(err as Error).message}`;
          partitionResponses.push(partitionError(p.index, ErrorCode.KAFKA_STORAGE_ERROR, message));
          if (stats) count(stats, ErrorCode.KAFKA_STORAGE_ERROR, p.records, 0);
        }
      }
      response.responses.push({ name: t.name, partitionResponses });
    }
    if (ctx.services.quotas.enabled('producer_byte_rate')) {
      let bytes = 0;
      for (const t of req.topicData) for (const p of t.partitionData) bytes += p.records?.length ?? 0;
      ctx.throttle(
        ctx.services.quotas.record('producer_byte_rate', ctx.connection.principal, ctx.clientId, bytes),
      );
    }
    if (req.acks === 0) return null;
    if (waits.length === 0) return response;
    if (!metrics) return Promise.all(waits).then(() => response);
    metrics.producePurgatory++;
    return Promise.all(waits)
      .finally(() => metrics.producePurgatory--)
      .then(() => response);
  },
  errorResponse(req, errorCode) {
    return {
      responses: req.topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p) => partitionError(p.index, errorCode, null)),
      })),
      throttleTimeMs: 0,
      nodeEndpoints: [],
    };
  },
});
