/**
 * DescribeLogDirs (key 35), versions 0-4. One log dir: the broker's data directory, with the
 * size on disk of every requested partition (null topics = all; unknown topics and partitions
 * are left out, as Kafka does). offset_lag is always 0 and there are no future replicas; v4
 * reports the file system's total and usable bytes. Authorization: DESCRIBE on the cluster, else
 * CLUSTER_AUTHORIZATION_FAILED (v3+) with no results; tenants only see their own topics.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type DescribeLogDirsRequest,
  readDescribeLogDirsRequest,
} from '../../protocol/generated/messages/describe-log-dirs-request.ts';
import {
  type DescribeLogDirsResponse,
  type DescribeLogDirsResponseDescribeLogDirsTopic,
  errorDescribeLogDirsResponse,
  writeDescribeLogDirsResponse,
} from '../../protocol/generated/messages/describe-log-dirs-response.ts';
import { canCluster, canDescribeAll, canTopic, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(35, 0, 4);

export const describeLogDirsHandler = defineHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>({
  ...SERVES,
  name: 'DescribeLogDirs',
  readRequest: readDescribeLogDirsRequest,
  writeResponse: writeDescribeLogDirsResponse,
  handle(req, ctx) {
    const { topics } = ctx.services;
    if (!canCluster(ctx, Operation.DESCRIBE))
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    const everything = canDescribeAll(ctx);
    const wanted =
      req.topics ??
      topics.list().map((t) => ({ topic: t.name, partitions: [...Array(t.partitionCount).keys()] }));
    const described: DescribeLogDirsResponseDescribeLogDirsTopic[] = [];
    for (const w of wanted) {
      const info = topics.get(w.topic);
      if (!info || (!everything && !canTopic(ctx, Operation.DESCRIBE, w.topic))) continue;
      const partitions = w.partitions
        .filter((p) => p >= 0 && p < info.partitionCount)
        .map((p) => ({
          partitionIndex: p,
          partitionSize: BigInt(topics.partitionSize(w.topic, p)),
          offsetLag: 0n,
          isFutureKey: false,
        }));
      if (partitions.length > 0) described.push({ name: w.topic, partitions });
    }
    const dir = topics.logDir();
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      results: [
        {
          errorCode: 0,
          logDir: dir.path,
          topics: described,
          totalBytes: BigInt(dir.totalBytes),
          usableBytes: BigInt(dir.usableBytes),
        },
      ],
    };
  },
  // Before v3 there is no top-level code: the one log dir carries it.
  errorResponse: (_req, errorCode) => ({
    ...errorDescribeLogDirsResponse(errorCode),
    results: [{ errorCode, logDir: '', topics: [], totalBytes: -1n, usableBytes: -1n }],
  }),
});
