/**
 * Admin requests over the raw wire client, for APIs the Debian Python clients (confluent-kafka 1.7,
 * kafka-python 2.0) do not expose: IncrementalAlterConfigs, DeleteRecords, OffsetForLeaderEpoch,
 * DescribeLogDirs, and exact CreateTopics/CreatePartitions versions.
 */
import {
  type CreatePartitionsRequest,
  writeCreatePartitionsRequest,
} from '../../src/protocol/generated/messages/create-partitions-request.ts';
import {
  type CreatePartitionsResponse,
  readCreatePartitionsResponse,
} from '../../src/protocol/generated/messages/create-partitions-response.ts';
import {
  type CreateTopicsRequest,
  writeCreateTopicsRequest,
} from '../../src/protocol/generated/messages/create-topics-request.ts';
import {
  type CreateTopicsResponse,
  readCreateTopicsResponse,
} from '../../src/protocol/generated/messages/create-topics-response.ts';
import {
  type DeleteRecordsRequest,
  writeDeleteRecordsRequest,
} from '../../src/protocol/generated/messages/delete-records-request.ts';
import {
  type DeleteRecordsResponse,
  readDeleteRecordsResponse,
} from '../../src/protocol/generated/messages/delete-records-response.ts';
import {
  type DescribeConfigsRequest,
  writeDescribeConfigsRequest,
} from '../../src/protocol/generated/messages/describe-configs-request.ts';
import {
  type DescribeConfigsResponse,
  readDescribeConfigsResponse,
} from '../../src/protocol/generated/messages/describe-configs-response.ts';
import {
  type DescribeLogDirsRequest,
  writeDescribeLogDirsRequest,
} from '../../src/protocol/generated/messages/describe-log-dirs-request.ts';
import {
  type DescribeLogDirsResponse,
  readDescribeLogDirsResponse,
} from '../../src/protocol/generated/messages/describe-log-dirs-response.ts';
import {
  type IncrementalAlterConfigsRequest,
  writeIncrementalAlterConfigsRequest,
} from '../../src/protocol/generated/messages/incremental-alter-configs-request.ts';
import {
  type IncrementalAlterConfigsResponse,
  readIncrementalAlterConfigsResponse,
} from '../../src/protocol/generated/messages/incremental-alter-configs-response.ts';
import {
  type OffsetForLeaderEpochRequest,
  writeOffsetForLeaderEpochRequest,
} from '../../src/protocol/generated/messages/offset-for-leader-epoch-request.ts';
import {
  type OffsetForLeaderEpochResponse,
  readOffsetForLeaderEpochResponse,
} from '../../src/protocol/generated/messages/offset-for-leader-epoch-response.ts';
import { WireClient } from '../broker/kafka-wire.ts';

export { WireClient };

export async function createTopics(
  c: WireClient,
  v: number,
  req: CreateTopicsRequest,
): Promise<CreateTopicsResponse> {
  return readCreateTopicsResponse(await c.request(19, v, (w) => writeCreateTopicsRequest(w, v, req)), v);
}

export async function deleteRecords(
  c: WireClient,
  v: number,
  req: DeleteRecordsRequest,
): Promise<DeleteRecordsResponse> {
  return readDeleteRecordsResponse(await c.request(21, v, (w) => writeDeleteRecordsRequest(w, v, req)), v);
}

export async function offsetForLeaderEpoch(
  c: WireClient,
  v: number,
  req: OffsetForLeaderEpochRequest,
): Promise<OffsetForLeaderEpochResponse> {
  return readOffsetForLeaderEpochResponse(
    await c.request(23, v, (w) => writeOffsetForLeaderEpochRequest(w, v, req)),
    v,
  );
}

export async function describeConfigs(
  c: WireClient,
  v: number,
  req: DescribeConfigsRequest,
): Promise<DescribeConfigsResponse> {
  return readDescribeConfigsResponse(
    await c.request(32, v, (w) => writeDescribeConfigsRequest(w, v, req)),
    v,
  );
}

export async function describeLogDirs(
  c: WireClient,
  v: number,
  req: DescribeLogDirsRequest,
): Promise<DescribeLogDirsResponse> {
  return readDescribeLogDirsResponse(
    await c.request(35, v, (w) => writeDescribeLogDirsRequest(w, v, req)),
    v,
  );
}

export async function createPartitions(
  c: WireClient,
  v: number,
  req: CreatePartitionsRequest,
): Promise<CreatePartitionsResponse> {
  return readCreatePartitionsResponse(
    await c.request(37, v, (w) => writeCreatePartitionsRequest(w, v, req)),
    v,
  );
}

export async function incrementalAlterConfigs(
  c: WireClient,
  v: number,
  req: IncrementalAlterConfigsRequest,
): Promise<IncrementalAlterConfigsResponse> {
  return readIncrementalAlterConfigsResponse(
    await c.request(44, v, (w) => writeIncrementalAlterConfigsRequest(w, v, req)),
    v,
  );
}

/** IncrementalAlterConfigs on one topic: [name, op, value] entries; returns [errorCode, message]. */
export async function alterTopic(
  c: WireClient,
  topic: string,
  entries: readonly [string, number, string | null][],
  validateOnly = false,
): Promise<[number, string | null]> {
  const res = await incrementalAlterConfigs(c, 1, {
    validateOnly,
    resources: [
      {
        resourceType: 2,
        resourceName: topic,
        configs: entries.map(([name, configOperation, value]) => ({ name, configOperation, value })),
      },
    ],
  });
  const r = res.responses[0]!;
  return [r.errorCode, r.errorMessage];
}

/** A topic's configs as name → [value, source] via DescribeConfigs v4. */
export async function topicConfigs(
  c: WireClient,
  topic: string,
): Promise<Map<string, [string | null, number]>> {
  const res = await describeConfigs(c, 4, {
    resources: [{ resourceType: 2, resourceName: topic, configurationKeys: null }],
    includeSynonyms: true,
    includeDocumentation: true,
  });
  const r = res.results[0]!;
  if (r.errorCode !== 0) throw new Error(`describe ${topic}: ${r.errorCode} ${r.errorMessage}`);
  return new Map(r.configs.map((e) => [e.name, [e.value, e.configSource]]));
}
