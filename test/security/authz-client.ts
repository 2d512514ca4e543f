/**
 * Test helper: a SASL/PLAIN-authenticated wire client with the requests the authorization tests
 * send (Metadata, Fetch, group and transaction APIs, ACL admin), each at one fixed version.
 */
import { Operation, PatternType, Permission, ResourceType } from '../../src/broker/auth/acl.ts';
import { writeCreateAclsRequest } from '../../src/protocol/generated/messages/create-acls-request.ts';
import { readCreateAclsResponse } from '../../src/protocol/generated/messages/create-acls-response.ts';
import {
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
  writeCreateTopicsRequest,
} from '../../src/protocol/generated/messages/create-topics-request.ts';
import { readCreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.ts';
import { writeDeleteAclsRequest } from '../../src/protocol/generated/messages/delete-acls-request.ts';
import { readDeleteAclsResponse } from '../../src/protocol/generated/messages/delete-acls-response.ts';
import { writeDescribeAclsRequest } from '../../src/protocol/generated/messages/describe-acls-request.ts';
import { readDescribeAclsResponse } from '../../src/protocol/generated/messages/describe-acls-response.ts';
import {
  defaultDescribeGroupsRequest,
  writeDescribeGroupsRequest,
} from '../../src/protocol/generated/messages/describe-groups-request.ts';
import { readDescribeGroupsResponse } from '../../src/protocol/generated/messages/describe-groups-response.ts';
import { writeDescribeLogDirsRequest } from '../../src/protocol/generated/messages/describe-log-dirs-request.ts';
import { readDescribeLogDirsResponse } from '../../src/protocol/generated/messages/describe-log-dirs-response.ts';
import {
  defaultFetchRequest,
  writeFetchRequest,
} from '../../src/protocol/generated/messages/fetch-request.ts';
import { readFetchResponse } from '../../src/protocol/generated/messages/fetch-response.ts';
import {
  defaultFindCoordinatorRequest,
  writeFindCoordinatorRequest,
} from '../../src/protocol/generated/messages/find-coordinator-request.ts';
import { readFindCoordinatorResponse } from '../../src/protocol/generated/messages/find-coordinator-response.ts';
import {
  defaultInitProducerIdRequest,
  writeInitProducerIdRequest,
} from '../../src/protocol/generated/messages/init-producer-id-request.ts';
import { readInitProducerIdResponse } from '../../src/protocol/generated/messages/init-producer-id-response.ts';
import {
  defaultJoinGroupRequest,
  writeJoinGroupRequest,
} from '../../src/protocol/generated/messages/join-group-request.ts';
import { readJoinGroupResponse } from '../../src/protocol/generated/messages/join-group-response.ts';
import {
  defaultListGroupsRequest,
  writeListGroupsRequest,
} from '../../src/protocol/generated/messages/list-groups-request.ts';
import { readListGroupsResponse } from '../../src/protocol/generated/messages/list-groups-response.ts';
import {
  defaultMetadataRequest,
  writeMetadataRequest,
} from '../../src/protocol/generated/messages/metadata-request.ts';
import { readMetadataResponse } from '../../src/protocol/generated/messages/metadata-response.ts';
import {
  defaultOffsetCommitRequest,
  writeOffsetCommitRequest,
} from '../../src/protocol/generated/messages/offset-commit-request.ts';
import { readOffsetCommitResponse } from '../../src/protocol/generated/messages/offset-commit-response.ts';
import { readSaslAuthenticateResponse } from '../../src/protocol/generated/messages/sasl-authenticate-response.ts';
import { readSaslHandshakeResponse } from '../../src/protocol/generated/messages/sasl-handshake-response.ts';
import { WireClient } from '../broker/kafka-wire.ts';

export { Operation, PatternType, Permission, ResourceType };

const ZERO_UUID = '0'.repeat(32);

export interface Binding {
  resourceType: number;
  resourceName: string;
  patternType?: number;
  principal: string;
  host?: string;
  operation: number;
  permissionType?: number;
}

export class AuthzClient {
  readonly wire: WireClient;

  private constructor(wire: WireClient) {
    this.wire = wire;
  }

  /** Connects to a SASL_PLAINTEXT listener and authenticates with PLAIN. */
  static async login(port: number, user: string, password: string): Promise<AuthzClient> {
    const wire = await WireClient.open(port);
    const hs = readSaslHandshakeResponse(await wire.request(17, 1, (w) => w.writeString('PLAIN')), 1);
    if (hs.errorCode !== 0) throw new Error(`SaslHandshake failed: ${hs.errorCode}`);
    const token = Buffer.from(`\u0000${user}\u0000${password}`);
    const auth = readSaslAuthenticateResponse(await wire.request(36, 1, (w) => w.writeBytes(token)), 1);
    if (auth.errorCode !== 0) throw new Error(`SaslAuthenticate failed: ${auth.errorCode}`);
    return new AuthzClient(wire);
  }

  close(): void {
    this.wire.close();
  }

  /** Metadata v12: null = every topic; returns name → error code. */
  async metadata(topics: string[] | null, autoCreate = false): Promise<Map<string, number>> {
    const req = defaultMetadataRequest();
    req.topics = topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name }));
    req.allowAutoTopicCreation = autoCreate;
    const res = readMetadataResponse(
      await this.wire.request(3, 12, (w) => writeMetadataRequest(w, 12, req)),
      12,
    );
    return new Map(res.topics.map((t) => [t.name ?? '', t.errorCode]));
  }

  /** CreateTopics v7 with one partition each; returns name → error code. */
  async createTopics(names: string[]): Promise<Map<string, number>> {
    const req = defaultCreateTopicsRequest();
    req.timeoutMs = 5000;
    req.topics = names.map((name) => {
      const t = defaultCreateTopicsRequestCreatableTopic();
      t.name = name;
      t.numPartitions = 1;
      t.replicationFactor = -1;
      return t;
    });
    const res = readCreateTopicsResponse(
      await this.wire.request(19, 7, (w) => writeCreateTopicsRequest(w, 7, req)),
      7,
    );
    return new Map(res.topics.map((t) => [t.name, t.errorCode]));
  }

  /** Fetch v12 of partition 0 from offset 0; returns the partition's error code. */
  async fetch(topic: string): Promise<number> {
    const req = defaultFetchRequest();
    req.maxWaitMs = 0;
    req.maxBytes = 1 << 20;
    req.topics = [
      {
        topic,
        topicId: ZERO_UUID,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 0n,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: 1 << 20,
            replicaDirectoryId: ZERO_UUID,
          },
        ],
      },
    ];
    const res = readFetchResponse(await this.wire.request(1, 12, (w) => writeFetchRequest(w, 12, req)), 12);
    return res.responses[0]!.partitions[0]!.errorCode;
  }

  /** JoinGroup v5 (a consumer joining without a member id); returns the error code. */
  async joinGroup(groupId: string): Promise<number> {
    const req = defaultJoinGroupRequest();
    req.groupId = groupId;
    req.sessionTimeoutMs = 10_000;
    req.rebalanceTimeoutMs = 10_000;
    req.memberId = '';
    req.protocolType = 'consumer';
    req.protocols = [{ name: 'range', metadata: Buffer.alloc(0) }];
    const res = readJoinGroupResponse(
      await this.wire.request(11, 5, (w) => writeJoinGroupRequest(w, 5, req)),
      5,
    );
    return res.errorCode;
  }

  /** DescribeGroups v5; returns group → error code. */
  async describeGroups(groupIds: string[]): Promise<Map<string, number>> {
    const req = defaultDescribeGroupsRequest();
    req.groups = groupIds;
    const res = readDescribeGroupsResponse(
      await this.wire.request(15, 5, (w) => writeDescribeGroupsRequest(w, 5, req)),
      5,
    );
    return new Map(res.groups.map((g) => [g.groupId, g.errorCode]));
  }

  /** ListGroups v4; returns the listed group ids. */
  async listGroups(): Promise<string[]> {
    const req = defaultListGroupsRequest();
    const res = readListGroupsResponse(
      await this.wire.request(16, 4, (w) => writeListGroupsRequest(w, 4, req)),
      4,
    );
    return res.groups.map((g) => g.groupId);
  }

  /** Standalone OffsetCommit v8 (generation -1) of offset 0 for partition 0 of each topic. */
  async commit(groupId: string, topics: string[]): Promise<Map<string, number>> {
    const req = defaultOffsetCommitRequest();
    req.groupId = groupId;
    req.generationIdOrMemberEpoch = -1;
    req.memberId = '';
    req.topics = topics.map((name) => ({
      name,
      partitions: [
        {
          partitionIndex: 0,
          committedOffset: 0n,
          committedLeaderEpoch: -1,
          commitTimestamp: -1n,
          committedMetadata: '',
        },
      ],
    }));
    const res = readOffsetCommitResponse(
      await this.wire.request(8, 8, (w) => writeOffsetCommitRequest(w, 8, req)),
      8,
    );
    return new Map(res.topics.map((t) => [t.name, t.partitions[0]!.errorCode]));
  }

  /** InitProducerId v4; returns the error code. */
  async initProducerId(transactionalId: string | null): Promise<number> {
    const req = defaultInitProducerIdRequest();
    req.transactionalId = transactionalId;
    req.transactionTimeoutMs = 60_000;
    req.producerId = -1n;
    req.producerEpoch = -1;
    const res = readInitProducerIdResponse(
      await this.wire.request(22, 4, (w) => writeInitProducerIdRequest(w, 4, req)),
      4,
    );
    return res.errorCode;
  }

  /** FindCoordinator v4 (batched keys); returns key → error code. */
  async findCoordinators(keyType: number, keys: string[]): Promise<Map<string, number>> {
    const req = defaultFindCoordinatorRequest();
    req.keyType = keyType;
    req.coordinatorKeys = keys;
    const res = readFindCoordinatorResponse(
      await this.wire.request(10, 4, (w) => writeFindCoordinatorRequest(w, 4, req)),
      4,
    );
    return new Map(res.coordinators.map((c) => [c.key, c.errorCode]));
  }

  /** DescribeLogDirs v4 for every topic; returns the error code and the topics listed. */
  async describeLogDirs(): Promise<{ errorCode: number; topics: string[] }> {
    const res = readDescribeLogDirsResponse(
      await this.wire.request(35, 4, (w) => writeDescribeLogDirsRequest(w, 4, { topics: null })),
      4,
    );
    return { errorCode: res.errorCode, topics: res.results.flatMap((r) => r.topics.map((t) => t.name)) };
  }

  /** CreateAcls v3; returns each binding's error code. */
  async createAcls(bindings: Binding[]): Promise<number[]> {
    const res = readCreateAclsResponse(
      await this.wire.request(30, 3, (w) =>
        writeCreateAclsRequest(w, 3, {
          creations: bindings.map((b) => ({
            resourceType: b.resourceType,
            resourceName: b.resourceName,
            resourcePatternType: b.patternType ?? PatternType.LITERAL,
            principal: b.principal,
            host: b.host ?? '*',
            operation: b.operation,
            permissionType: b.permissionType ?? Permission.ALLOW,
          })),
        }),
      ),
      3,
    );
    return res.results.map((r) => r.errorCode);
  }

  /** DescribeAcls v3 for a principal (any resource, pattern type given); returns the error and bindings. */
  async describeAcls(
    principal: string | null,
    patternType: number = PatternType.ANY,
    resourceName: string | null = null,
  ): Promise<{ errorCode: number; bindings: Required<Binding>[] }> {
    const res = readDescribeAclsResponse(
      await this.wire.request(29, 3, (w) =>
        writeDescribeAclsRequest(w, 3, {
          resourceTypeFilter: ResourceType.ANY,
          resourceNameFilter: resourceName,
          patternTypeFilter: patternType,
          principalFilter: principal,
          hostFilter: null,
          operation: Operation.ANY,
          permissionType: Permission.ANY,
        }),
      ),
      3,
    );
    const bindings = res.resources.flatMap((r) =>
      r.acls.map((a) => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        patternType: r.patternType,
        principal: a.principal,
        host: a.host,
        operation: a.operation,
        permissionType: a.permissionType,
      })),
    );
    return { errorCode: res.errorCode, bindings };
  }

  /** DeleteAcls v3 with one filter; returns the filter's error and the removed bindings' count. */
  async deleteAcls(filter: {
    principal: string;
    permissionType: number;
  }): Promise<{ errorCode: number; removed: number }> {
    const res = readDeleteAclsResponse(
      await this.wire.request(31, 3, (w) =>
        writeDeleteAclsRequest(w, 3, {
          filters: [
            {
              resourceTypeFilter: ResourceType.ANY,
              resourceNameFilter: null,
              patternTypeFilter: PatternType.ANY,
              principalFilter: filter.principal,
              hostFilter: null,
              operation: Operation.ANY,
              permissionType: filter.permissionType,
            },
          ],
        }),
      ),
      3,
    );
    const r = res.filterResults[0]!;
    return { errorCode: r.errorCode, removed: r.matchingAcls.length };
  }
}
