/**
 * Every API handler the broker serves, in API key order, with the versions it serves. Handler
 * modules (and the generated codecs they import) load on the first request for their API, so a
 * broker starts without compiling codecs it may never use (startup and idle RSS in
 * docs/benchmarks.md). ApiVersions and the SASL pair, needed before anything else, load with the
 * broker. The versions here must match each handler's own (test/broker/handlers-table.test.ts).
 */
import type { AnyHandler } from '../handler.ts';
import { saslHandshakeHandler } from './17-sasl-handshake.ts';
import { apiVersionsHandler } from './18-api-versions.ts';
import { saslAuthenticateHandler } from './36-sasl-authenticate.ts';

export interface HandlerModule {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Set for the handlers loaded with the broker. */
  readonly handler?: AnyHandler;
  /** Imports the handler's module (first use). */
  readonly load: () => Promise<AnyHandler>;
}

export const HANDLER_MODULES: readonly HandlerModule[] = [
  {
    apiKey: 0,
    name: 'Produce',
    minVersion: 0,
    maxVersion: 11,
    load: async () => (await import('./00-produce.ts')).produceHandler,
  },
  {
    apiKey: 1,
    name: 'Fetch',
    minVersion: 4,
    maxVersion: 17,
    load: async () => (await import('./01-fetch.ts')).fetchHandler,
  },
  {
    apiKey: 2,
    name: 'ListOffsets',
    minVersion: 0,
    maxVersion: 10,
    load: async () => (await import('./02-list-offsets.ts')).listOffsetsHandler,
  },
  {
    apiKey: 3,
    name: 'Metadata',
    minVersion: 0,
    maxVersion: 12,
    load: async () => (await import('./03-metadata.ts')).metadataHandler,
  },
  {
    apiKey: 8,
    name: 'OffsetCommit',
    minVersion: 0,
    maxVersion: 9,
    load: async () => (await import('./08-offset-commit.ts')).offsetCommitHandler,
  },
  {
    apiKey: 9,
    name: 'OffsetFetch',
    minVersion: 0,
    maxVersion: 9,
    load: async () => (await import('./09-offset-fetch.ts')).offsetFetchHandler,
  },
  {
    apiKey: 10,
    name: 'FindCoordinator',
    minVersion: 0,
    maxVersion: 6,
    load: async () => (await import('./10-find-coordinator.ts')).findCoordinatorHandler,
  },
  {
    apiKey: 11,
    name: 'JoinGroup',
    minVersion: 0,
    maxVersion: 9,
    load: async () => (await import('./11-join-group.ts')).joinGroupHandler,
  },
  {
    apiKey: 12,
    name: 'Heartbeat',
    minVersion: 0,
    maxVersion: 4,
    load: async () => (await import('./12-heartbeat.ts')).heartbeatHandler,
  },
  {
    apiKey: 13,
    name: 'LeaveGroup',
    minVersion: 0,
    maxVersion: 5,
    load: async () => (await import('./13-leave-group.ts')).leaveGroupHandler,
  },
  {
    apiKey: 14,
    name: 'SyncGroup',
    minVersion: 0,
    maxVersion: 5,
    load: async () => (await import('./14-sync-group.ts')).syncGroupHandler,
  },
  {
    apiKey: 15,
    name: 'DescribeGroups',
    minVersion: 0,
    maxVersion: 5,
    load: async () => (await import('./15-describe-groups.ts')).describeGroupsHandler,
  },
  {
    apiKey: 16,
    name: 'ListGroups',
    minVersion: 0,
    maxVersion: 5,
    load: async () => (await import('./16-list-groups.ts')).listGroupsHandler,
  },
  {
    apiKey: 17,
    name: 'SaslHandshake',
    minVersion: 0,
    maxVersion: 1,
    handler: saslHandshakeHandler,
    load: async () => saslHandshakeHandler,
  },
  {
    apiKey: 18,
    name: 'ApiVersions',
    minVersion: 0,
    maxVersion: 4,
    handler: apiVersionsHandler,
    load: async () => apiVersionsHandler,
  },
  {
    apiKey: 19,
    name: 'CreateTopics',
    minVersion: 0,
    maxVersion: 7,
    load: async () => (await import('./19-create-topics.ts')).createTopicsHandler,
  },
  {
    apiKey: 20,
    name: 'DeleteTopics',
    minVersion: 0,
    maxVersion: 6,
    load: async () => (await import('./20-delete-topics.ts')).deleteTopicsHandler,
  },
  {
    apiKey: 21,
    name: 'DeleteRecords',
    minVersion: 0,
    maxVersion: 2,
    load: async () => (await import('./21-delete-records.ts')).deleteRecordsHandler,
  },
  {
    apiKey: 22,
    name: 'InitProducerId',
    minVersion: 0,
    maxVersion: 5,
    load: async () => (await import('./22-init-producer-id.ts')).initProducerIdHandler,
  },
  {
    apiKey: 23,
    name: 'OffsetForLeaderEpoch',
    minVersion: 0,
    maxVersion: 4,
    load: async () => (await import('./23-offset-for-leader-epoch.ts')).offsetForLeaderEpochHandler,
  },
  {
    apiKey: 24,
    name: 'AddPartitionsToTxn',
    minVersion: 0,
    maxVersion: 5,
    load: async () => (await import('./24-add-partitions-to-txn.ts')).addPartitionsToTxnHandler,
  },
  {
    apiKey: 25,
    name: 'AddOffsetsToTxn',
    minVersion: 0,
    maxVersion: 4,
    load: async () => (await import('./25-add-offsets-to-txn.ts')).addOffsetsToTxnHandler,
  },
  {
    apiKey: 26,
    name: 'EndTxn',
    minVersion: 0,
    maxVersion: 5,
    load: async () => (await import('./26-end-txn.ts')).endTxnHandler,
  },
  {
    apiKey: 28,
    name: 'TxnOffsetCommit',
    minVersion: 0,
    maxVersion: 4,
    load: async () => (await import('./28-txn-offset-commit.ts')).txnOffsetCommitHandler,
  },
  {
    apiKey: 29,
    name: 'DescribeAcls',
    minVersion: 0,
    maxVersion: 3,
    load: async () => (await import('./29-describe-acls.ts')).describeAclsHandler,
  },
  {
    apiKey: 30,
    name: 'CreateAcls',
    minVersion: 0,
    maxVersion: 3,
    load: async () => (await import('./30-create-acls.ts')).createAclsHandler,
  },
  {
    apiKey: 31,
    name: 'DeleteAcls',
    minVersion: 0,
    maxVersion: 3,
    load: async () => (await import('./31-delete-acls.ts')).deleteAclsHandler,
  },
  {
    apiKey: 32,
    name: 'DescribeConfigs',
    minVersion: 0,
    maxVersion: 4,
    load: async () => (await import('./32-describe-configs.ts')).describeConfigsHandler,
  },
  {
    apiKey: 33,
    name: 'AlterConfigs',
    minVersion: 0,
    maxVersion: 2,
    load: async () => (await import('./33-alter-configs.ts')).alterConfigsHandler,
  },
  {
    apiKey: 35,
    name: 'DescribeLogDirs',
    minVersion: 0,
    maxVersion: 4,
    load: async () => (await import('./35-describe-log-dirs.ts')).describeLogDirsHandler,
  },
  {
    apiKey: 36,
    name: 'SaslAuthenticate',
    minVersion: 0,
    maxVersion: 2,
    handler: saslAuthenticateHandler,
    load: async () => saslAuthenticateHandler,
  },
  {
    apiKey: 37,
    name: 'CreatePartitions',
    minVersion: 0,
    maxVersion: 3,
    load: async () => (await import('./37-create-partitions.ts')).createPartitionsHandler,
  },
  {
    apiKey: 42,
    name: 'DeleteGroups',
    minVersion: 0,
    maxVersion: 2,
    load: async () => (await import('./42-delete-groups.ts')).deleteGroupsHandler,
  },
  {
    apiKey: 44,
    name: 'IncrementalAlterConfigs',
    minVersion: 0,
    maxVersion: 1,
    load: async () => (await import('./44-incremental-alter-configs.ts')).incrementalAlterConfigsHandler,
  },
  {
    apiKey: 47,
    name: 'OffsetDelete',
    minVersion: 0,
    maxVersion: 0,
    load: async () => (await import('./47-offset-delete.ts')).offsetDeleteHandler,
  },
  {
    apiKey: 50,
    name: 'DescribeUserScramCredentials',
    minVersion: 0,
    maxVersion: 0,
    load: async () =>
      (await import('./50-describe-user-scram-credentials.ts')).describeUserScramCredentialsHandler,
  },
  {
    apiKey: 51,
    name: 'AlterUserScramCredentials',
    minVersion: 0,
    maxVersion: 0,
    load: async () => (await import('./51-alter-user-scram-credentials.ts')).alterUserScramCredentialsHandler,
  },
  {
    apiKey: 60,
    name: 'DescribeCluster',
    minVersion: 0,
    maxVersion: 1,
    load: async () => (await import('./60-describe-cluster.ts')).describeClusterHandler,
  },
  {
    apiKey: 61,
    name: 'DescribeProducers',
    minVersion: 0,
    maxVersion: 0,
    load: async () => (await import('./61-describe-producers.ts')).describeProducersHandler,
  },
  {
    apiKey: 65,
    name: 'DescribeTransactions',
    minVersion: 0,
    maxVersion: 0,
    load: async () => (await import('./65-describe-transactions.ts')).describeTransactionsHandler,
  },
  {
    apiKey: 66,
    name: 'ListTransactions',
    minVersion: 0,
    maxVersion: 1,
    load: async () => (await import('./66-list-transactions.ts')).listTransactionsHandler,
  },
];

/** Loads every handler (tests and tools that walk all of them). */
export function loadAllHandlers(): Promise<AnyHandler[]> {
  return Promise.all(HANDLER_MODULES.map((m) => m.handler ?? m.load()));
}
