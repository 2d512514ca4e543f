/**
 * What the group coordinator answers when its write to __consumer_offsets fails: the log's error
 * mapped to the code clients expect. Error code numbers are protocol/errors.ts's `ErrorCode`.
 */
import { ErrorCode } from '../protocol/errors.ts';

/**
 * Maps the error of a failed append to __consumer_offsets to the code clients expect, as Kafka's
 * coordinator does. Offset commits answer INVALID_COMMIT_OFFSET_SIZE for oversized writes; group
 * metadata writes answer UNKNOWN_SERVER_ERROR.
 */
export function appendErrorToResponse(code: number, forOffsetCommit: boolean): number {
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return forOffsetCommit ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE : ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return code;
  }
}
