/**
 * DeleteRecords (key 21), versions 0-2. Advances each partition's log start offset (the low
 * watermark) to the requested offset, -1 meaning the high watermark; whole segments below it are
 * removed and the new start survives restarts. An offset below the current start changes nothing;
 * one beyond the high watermark is OFFSET_OUT_OF_RANGE; topics whose cleanup.policy lacks `delete`
 * answer POLICY_VIOLATION (as Kafka does); unknown partitions UNKNOWN_TOPIC_OR_PARTITION.
 * Authorization: DELETE on each topic, else TOPIC_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type DeleteRecordsRequest,
  readDeleteRecordsRequest,
} from '../../protocol/generated/messages/delete-records-request.ts';
import {
  type DeleteRecordsResponse,
  writeDeleteRecordsResponse,
} from '../../protocol/generated/messages/delete-records-response.ts';
import { canTopic, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(21, 0, 2);

export const deleteRecordsHandler = defineHandler<DeleteRecordsRequest, DeleteRecordsResponse>({
  ...SERVES,
  name: 'DeleteRecords',
  readRequest: readDeleteRecordsRequest,
  writeResponse: writeDeleteRecordsResponse,
  handle(req, ctx) {
    const { topics } = ctx.services;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          if (!canTopic(ctx, Operation.DELETE, t.name))
            return {
              partitionIndex: p.partitionIndex,
              lowWatermark: -1n,
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            };
          const r = topics.deleteRecords(t.name, p.partitionIndex, Number(p.offset));
          return 'errorCode' in r
            ? { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: r.errorCode }
            : { partitionIndex: p.partitionIndex, lowWatermark: BigInt(r.lowWatermark), errorCode: 0 };
        }),
      })),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          lowWatermark: -1n,
          errorCode,
        })),
      })),
    };
  },
});
