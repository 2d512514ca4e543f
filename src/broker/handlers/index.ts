/**
 * Every API handler the broker serves, in API key order, with the versions it serves. Handler
 * modules (and the generated codecs they import) load on the first request for their API, so a
 * broker starts without compiling codecs it may never use (startup and idle RSS in
 * docs/benchmarks.md). ApiVersions and the SASL pair, needed before anything else, load with the
 * broker. The versions here must match each handler's own (test/broker/handlers-table.test.ts).
 */
import { API_KEY_BY_ID } from '../../protocol/generated/api-keys.ts';
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

/** A handler loaded with the broker. */
function loaded(handler: AnyHandler): HandlerModule {
  const { apiKey, name, minVersion, maxVersion } = handler;
  return { apiKey, name, minVersion, maxVersion, handler, load: async () => handler };
}

/** A handler imported on its API's first request; the name is Kafka's, from the generated table. */
function onFirstUse(
  apiKey: number,
  minVersion: number,
  maxVersion: number,
  load: () => Promise<AnyHandler>,
): HandlerModule {
  const name = API_KEY_BY_ID.get(apiKey)?.name ?? String(apiKey);
  return { apiKey, name, minVersion, maxVersion, load };
}

export const HANDLER_MODULES: readonly HandlerModule[] = [
  onFirstUse(0, 0, 11, async () => (await import('./00-produce.ts')).produceHandler),
  onFirstUse(1, 4, 17, async () => (await import('./01-fetch.ts')).fetchHandler),
  onFirstUse(2, 0, 10, async () => (await import('./02-list-offsets.ts')).listOffsetsHandler),
  onFirstUse(3, 0, 12, async () => (await import('./03-metadata.ts')).metadataHandler),
  onFirstUse(8, 0, 9, async () => (await import('./08-offset-commit.ts')).offsetCommitHandler),
  onFirstUse(9, 0, 9, async () => (await import('./09-offset-fetch.ts')).offsetFetchHandler),
  onFirstUse(10, 0, 6, async () => (await import('./10-find-coordinator.ts')).findCoordinatorHandler),
  onFirstUse(11, 0, 9, async () => (await import('./11-join-group.ts')).joinGroupHandler),
  onFirstUse(12, 0, 4, async () => (await import('./12-heartbeat.ts')).heartbeatHandler),
  onFirstUse(13, 0, 5, async () => (await import('./13-leave-group.ts')).leaveGroupHandler),
  onFirstUse(14, 0, 5, async () => (await import('./14-sync-group.ts')).syncGroupHandler),
  onFirstUse(15, 0, 5, async () => (await import('./15-describe-groups.ts')).describeGroupsHandler),
  onFirstUse(16, 0, 5, async () => (await import('./16-list-groups.ts')).listGroupsHandler),
  loaded(saslHandshakeHandler),
  loaded(apiVersionsHandler),
  onFirstUse(19, 0, 7, async () => (await import('./19-create-topics.ts')).createTopicsHandler),
  onFirstUse(20, 0, 6, async () => (await import('./20-delete-topics.ts')).deleteTopicsHandler),
  onFirstUse(21, 0, 2, async () => (await import('./21-delete-records.ts')).deleteRecordsHandler),
  onFirstUse(22, 0, 5, async () => (await import('./22-init-producer-id.ts')).initProducerIdHandler),
  onFirstUse(
    23,
    0,
    4,
    async () => (await import('./23-offset-for-leader-epoch.ts')).offsetForLeaderEpochHandler,
  ),
  onFirstUse(24, 0, 5, async () => (await import('./24-add-partitions-to-txn.ts')).addPartitionsToTxnHandler),
  onFirstUse(25, 0, 4, async () => (await import('./25-add-offsets-to-txn.ts')).addOffsetsToTxnHandler),
  onFirstUse(26, 0, 5, async () => (await import('./26-end-txn.ts')).endTxnHandler),
  onFirstUse(28, 0, 4, async () => (await import('./28-txn-offset-commit.ts')).txnOffsetCommitHandler),
  onFirstUse(29, 0, 3, async () => (await import('./29-describe-acls.ts')).describeAclsHandler),
  onFirstUse(30, 0, 3, async () => (await import('./30-create-acls.ts')).createAclsHandler),
  onFirstUse(31, 0, 3, async () => (await import('./31-delete-acls.ts')).deleteAclsHandler),
  onFirstUse(32, 0, 4, async () => (await import('./32-describe-configs.ts')).describeConfigsHandler),
  onFirstUse(33, 0, 2, async () => (await import('./33-alter-configs.ts')).alterConfigsHandler),
  onFirstUse(35, 0, 4, async () => (await import('./35-describe-log-dirs.ts')).describeLogDirsHandler),
  loaded(saslAuthenticateHandler),
  onFirstUse(37, 0, 3, async () => (await import('./37-create-partitions.ts')).createPartitionsHandler),
  onFirstUse(42, 0, 2, async () => (await import('./42-delete-groups.ts')).deleteGroupsHandler),
  onFirstUse(
    44,
    0,
    1,
    async () => (await import('./44-incremental-alter-configs.ts')).incrementalAlterConfigsHandler,
  ),
  onFirstUse(47, 0, 0, async () => (await import('./47-offset-delete.ts')).offsetDeleteHandler),
  onFirstUse(
    48,
    0,
    1,
    async () => (await import('./48-describe-client-quotas.ts')).describeClientQuotasHandler,
  ),
  onFirstUse(49, 0, 1, async () => (await import('./49-alter-client-quotas.ts')).alterClientQuotasHandler),
  onFirstUse(
    50,
    0,
    0,
    async () => (await import('./50-describe-user-scram-credentials.ts')).describeUserScramCredentialsHandler,
  ),
  onFirstUse(
    51,
    0,
    0,
    async () => (await import('./51-alter-user-scram-credentials.ts')).alterUserScramCredentialsHandler,
  ),
  onFirstUse(60, 0, 1, async () => (await import('./60-describe-cluster.ts')).describeClusterHandler),
  onFirstUse(61, 0, 0, async () => (await import('./61-describe-producers.ts')).describeProducersHandler),
  onFirstUse(
    65,
    0,
    0,
    async () => (await import('./65-describe-transactions.ts')).describeTransactionsHandler,
  ),
  onFirstUse(66, 0, 1, async () => (await import('./66-list-transactions.ts')).listTransactionsHandler),
  onFirstUse(
    68,
    0,
    1,
    async () => (await import('./68-consumer-group-heartbeat.ts')).consumerGroupHeartbeatHandler,
  ),
  onFirstUse(
    69,
    0,
    0,
    async () => (await import('./69-consumer-group-describe.ts')).consumerGroupDescribeHandler,
  ),
];

/** Loads every handler (tests and tools that walk all of them). */
export function loadAllHandlers(): Promise<AnyHandler[]> {
  return Promise.all(HANDLER_MODULES.map((m) => m.handler ?? m.load()));
}
