/**
 * ListOffsets (key 2), versions 0-10. Per partition: timestamp -2 → log start offset (earliest),
 * -1 → log end offset (latest; the last stable offset for read_committed), -3 → the offset of the
 * record with the largest timestamp (v7+), -4 → earliest local (= earliest, v8+), -5 → earliest
 * pending upload (= earliest; nothing is tiered here). Any other value finds the earliest offset
 * whose timestamp is at or after it — how consumers replay from a point in time — or -1 when no
 * record is that new. v0 answers in the old offsets-array form. Authorization: DESCRIBE on each
 * topic, else TOPIC_AUTHORIZATION_FAILED.
 */
import { LEADER_EPOCH } from '../../log/segment.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type ListOffsetsRequest,
  readListOffsetsRequest,
} from '../../protocol/generated/messages/list-offsets-request.ts';
import {
  type ListOffsetsResponse,
  type ListOffsetsResponseListOffsetsPartitionResponse,
  writeListOffsetsResponse,
} from '../../protocol/generated/messages/list-offsets-response.ts';
import { canTopic, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';
import type { PartitionLogHandle } from '../topics.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(2, 0, 10);

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const EARLIEST_PENDING_UPLOAD = -5;

function lookup(
  log: PartitionLogHandle,
  ts: number,
  readCommitted: boolean,
): { offset: number; timestamp: number } {
  switch (ts) {
    case LATEST:
      return { offset: readCommitted ? log.lastStableOffset : log.logEndOffset, timestamp: -1 };
    case EARLIEST:
    case EARLIEST_LOCAL:
    case EARLIEST_PENDING_UPLOAD:
      return { offset: log.logStartOffset, timestamp: -1 };
    case MAX_TIMESTAMP:
      return log.maxTimestampOffset() ?? { offset: -1, timestamp: -1 };
    default:
      return log.offsetForTimestamp(ts) ?? { offset: -1, timestamp: -1 };
  }
}

function answer(partitionIndex: number, errorCode: number, offset: number, timestamp: number, v: number) {
  const res: ListOffsetsResponseListOffsetsPartitionResponse = {
    partitionIndex,
    errorCode,
    oldStyleOffsets: [],
    timestamp: BigInt(timestamp),
    offset: BigInt(offset),
    leaderEpoch: errorCode === ErrorCode.NONE ? LEADER_EPOCH : -1,
  };
  if (v === 0 && errorCode === ErrorCode.NONE) res.oldStyleOffsets = [BigInt(offset)];
  return res;
}

export const listOffsetsHandler = defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  ...SERVES,
  name: 'ListOffsets',
  readRequest: readListOffsetsRequest,
  writeResponse: writeListOffsetsResponse,
  handle(req, ctx) {
    const { topics } = ctx.services;
    const v = ctx.apiVersion;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          if (!canTopic(ctx, Operation.DESCRIBE, t.name))
            return answer(p.partitionIndex, ErrorCode.TOPIC_AUTHORIZATION_FAILED, -1, -1, v);
          const log = topics.partition(t.name, p.partitionIndex);
          if (!log) return answer(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1, v);
          const ts = Number(p.timestamp);
          if (ts === MAX_TIMESTAMP && v < 7)
            return answer(p.partitionIndex, ErrorCode.UNSUPPORTED_VERSION, -1, -1, v);
          const found = lookup(log, ts, v >= 2 && req.isolationLevel === 1);
          return answer(p.partitionIndex, ErrorCode.NONE, found.offset, found.timestamp, v);
        }),
      })),
    };
  },
  errorResponse(req, errorCode, v) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => answer(p.partitionIndex, errorCode, -1, -1, v)),
      })),
    };
  },
});
