/**
 * Consumer-group membership for a streams instance, spoken directly with @platformatic/kafka's
 * protocol APIs (JoinGroup v7, SyncGroup v5, Heartbeat v4, LeaveGroup v4, OffsetFetch v8 with
 * require_stable, OffsetCommit v8, TxnOffsetCommit v3, FindCoordinator v4) over our own connection
 * to the group coordinator. Why not the library's Consumer group support: Kafka Streams runs its own
 * assignor (tasks of co-partitioned inputs, sticky to the instance holding their state, plus the
 * host map for interactive queries in the assignment's user data) and must commit before it gives
 * tasks up; the Consumer's built-in membership sends one fixed assignment user data to everyone,
 * drops the user data it receives and rejoins on its own. Here the instance decides when to rejoin
 * (after committing), what it subscribes with, and reads what the leader assigned.
 * The classic protocol with protocol type "consumer" and protocol name "stream" is used, as Kafka
 * Streams does, so `kafka-consumer-groups`-style tools show the members and their partitions.
 */
import {
  Connection,
  type Consumer,
  findCoordinatorV4,
  heartbeatV4,
  joinGroupV7,
  leaveGroupV4,
  offsetCommitV8,
  offsetFetchV8,
  syncGroupV5,
  txnOffsetCommitV3,
} from '@platformatic/kafka';
import type { KafkaConnectionOptions } from '../../client/connection-options.ts';
import type { Logger } from '../errors.ts';

export const PROTOCOL_TYPE = 'consumer';
export const PROTOCOL_NAME = 'stream';

/** Kafka error name carried by a platformatic error, if any. */
export function kafkaErrorId(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (e: unknown): string | undefined => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return undefined;
    seen.add(e);
    const o = e as { apiId?: string; errors?: unknown[]; cause?: unknown };
    if (typeof o.apiId === 'string') return o.apiId;
    for (const inner of o.errors ?? []) {
      const id = walk(inner);
      if (id) return id;
    }
    return walk(o.cause);
  };
  return walk(err);
}

const COORDINATOR_ERRORS = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
]);
const REJOIN_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'FENCED_INSTANCE_ID',
]);

export function needsRejoin(err: unknown): boolean {
  const id = kafkaErrorId(err);
  return id !== undefined && REJOIN_ERRORS.has(id);
}

export interface MemberMetadata {
  memberId: string;
  metadata: Buffer;
}

export interface GroupMemberOptions {
  groupId: string;
  clientId: string;
  connection: KafkaConnectionOptions;
  /** Used for metadata (broker addresses). */
  consumer: Consumer;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  requestTimeoutMs: number;
  logger: Logger;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class GroupMember {
  memberId = '';
  generationId = -1;
  /** Node id of the group coordinator (for transactional offset commits). */
  coordinatorId = -1;
  /** Set when the coordinator asked for a rebalance (or our membership was lost). */
  rebalanceNeeded = false;
  /** Set when the coordinator no longer knows us: tasks must be treated as lost. */
  lost = false;
  private readonly options: GroupMemberOptions;
  private conn: Connection | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatInFlight = false;
  private closed = false;

  constructor(options: GroupMemberOptions) {
    this.options = options;
  }

  private newConnection(): Connection {
    const c = this.options.connection;
    return new Connection(this.options.clientId, {
      connectTimeout: 5_000,
      requestTimeout: this.options.requestTimeoutMs,
      ...(c.tls ? { tls: c.tls } : {}),
      ...(c.tlsServerName ? { tlsServerName: c.tlsServerName } : {}),
      ...(c.sasl ? { sasl: c.sasl } : {}),
    });
  }

  private async coordinator(): Promise<Connection> {
    if (this.conn !== null) return this.conn;
    const metadata = await this.options.consumer.metadata({ topics: [] });
    const broker = [...metadata.brokers.values()][0];
    if (!broker) throw new Error('no broker in cluster metadata');
    const bootstrap = this.newConnection();
    try {
      await bootstrap.connect(broker.host, broker.port);
      const response = await findCoordinatorV4.api.async(bootstrap, 0, [this.options.groupId]);
      const c = response.coordinators[0];
      if (c?.errorCode !== 0) throw new Error(`FindCoordinator failed with error code ${c?.errorCode}`);
      const conn = this.newConnection();
      await conn.connect(c.host, c.port);
      this.conn = conn;
      this.coordinatorId = c.nodeId;
      return conn;
    } finally {
      await bootstrap.close().catch(() => {});
    }
  }

  private async resetConnection(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    if (c) await c.close().catch(() => {});
  }

  /** Runs a request against the coordinator, finding it again after coordinator or network errors. */
  async call<T>(what: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 20 && !this.closed; attempt++) {
      try {
        return await fn(await this.coordinator());
      } catch (err) {
        const id = kafkaErrorId(err);
        if (id !== undefined && !COORDINATOR_ERRORS.has(id)) throw err;
        lastError = err;
        this.options.logger.debug(
          { what, err: (err as Error).message },
          'group coordinator request failed; retrying',
        );
        await this.resetConnection();
        await sleep(Math.min(100 * 2 ** attempt, 1_000));
      }
    }
    throw lastError ?? new Error(`${what}: client closed`);
  }

  /**
   * Joins (or rejoins) the group and returns this member's assignment. The leader computes all
   * assignments with `assign` from every member's subscription metadata.
   */
  async join(
    metadata: Buffer,
    assign: (members: MemberMetadata[]) => Promise<Map<string, Buffer>>,
  ): Promise<Buffer> {
    this.stopHeartbeat();
    for (;;) {
      if (this.closed) throw new Error('closed');
      this.rebalanceNeeded = false;
      let joined: Awaited<ReturnType<typeof joinGroupV7.api.async>>;
      try {
        joined = await this.call('JoinGroup', (conn) =>
          joinGroupV7.api.async(
            conn,
            this.options.groupId,
            this.options.sessionTimeoutMs,
            this.options.rebalanceTimeoutMs,
            this.memberId,
            null,
            PROTOCOL_TYPE,
            [{ name: PROTOCOL_NAME, metadata }],
          ),
        );
      } catch (err) {
        const id = kafkaErrorId(err);
        const response = (err as { response?: { memberId?: string } }).response;
        if (id === 'MEMBER_ID_REQUIRED' && response?.memberId) {
          this.memberId = response.memberId;
          continue;
        }
        if (id === 'UNKNOWN_MEMBER_ID' || id === 'ILLEGAL_GENERATION') {
          this.memberId = '';
          continue;
        }
        if (id === 'REBALANCE_IN_PROGRESS') continue;
        throw err;
      }
      this.memberId = joined.memberId;
      this.generationId = joined.generationId;
      const isLeader = joined.leader === joined.memberId;
      const assignments = isLeader
        ? [
            ...(await assign(joined.members.map((m) => ({ memberId: m.memberId, metadata: m.metadata })))),
          ].map(([memberId, assignment]) => ({ memberId, assignment }))
        : [];
      try {
        const synced = await this.call('SyncGroup', (conn) =>
          syncGroupV5.api.async(
            conn,
            this.options.groupId,
            this.generationId,
            this.memberId,
            null,
            PROTOCOL_TYPE,
            PROTOCOL_NAME,
            assignments,
          ),
        );
        this.lost = false;
        this.startHeartbeat();
        return synced.assignment;
      } catch (err) {
        const id = kafkaErrorId(err);
        if (id === 'REBALANCE_IN_PROGRESS') continue;
        if (id === 'UNKNOWN_MEMBER_ID' || id === 'ILLEGAL_GENERATION') {
          this.memberId = '';
          continue;
        }
        throw err;
      }
    }
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.options.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeatInFlight || this.closed || this.memberId === '') return;
    this.heartbeatInFlight = true;
    try {
      await this.call('Heartbeat', (conn) =>
        heartbeatV4.api.async(conn, this.options.groupId, this.generationId, this.memberId, null),
      );
    } catch (err) {
      const id = kafkaErrorId(err);
      if (id === 'REBALANCE_IN_PROGRESS') this.rebalanceNeeded = true;
      else if (id === 'UNKNOWN_MEMBER_ID' || id === 'ILLEGAL_GENERATION' || id === 'FENCED_INSTANCE_ID') {
        this.options.logger.warn(
          { err: id },
          'group membership lost; tasks will be closed and the instance rejoins',
        );
        this.lost = true;
        this.rebalanceNeeded = true;
        if (id === 'UNKNOWN_MEMBER_ID') this.memberId = '';
      } else {
        this.options.logger.warn({ err: (err as Error).message }, 'heartbeat failed');
      }
    } finally {
      this.heartbeatInFlight = false;
    }
  }

  /** Committed offsets (require_stable: waits out pending transactional commits). */
  async committedOffsets(partitions: { topic: string; partition: number }[]): Promise<Map<string, bigint>> {
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    for (let attempt = 0; ; attempt++) {
      const response = await this.call('OffsetFetch', (conn) =>
        offsetFetchV8.api.async(
          conn,
          [
            {
              groupId: this.options.groupId,
              memberEpoch: -1,
              topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
            },
          ],
          true,
        ),
      ).catch((err: unknown) => {
        if (kafkaErrorId(err) === 'UNSTABLE_OFFSET_COMMIT') return null;
        throw err;
      });
      const unstable =
        response === null ||
        response.groups.some((g) => g.topics.some((t) => t.partitions.some((p) => p.errorCode === 88)));
      if (unstable) {
        if (attempt % 10 === 0)
          this.options.logger.info({}, 'waiting for a pending transactional offset commit to complete');
        await sleep(200);
        continue;
      }
      const out = new Map<string, bigint>();
      for (const g of response.groups)
        for (const t of g.topics)
          for (const p of t.partitions)
            if (p.committedOffset >= 0n) out.set(`${t.name}:${p.partitionIndex}`, p.committedOffset);
      return out;
    }
  }

  private offsetTopics(offsets: Map<string, bigint>) {
    const byTopic = new Map<
      string,
      { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number }[]
    >();
    for (const [tp, offset] of offsets) {
      const i = tp.lastIndexOf(':');
      const topic = tp.slice(0, i);
      byTopic.set(topic, [
        ...(byTopic.get(topic) ?? []),
        { partitionIndex: Number(tp.slice(i + 1)), committedOffset: offset, committedLeaderEpoch: -1 },
      ]);
    }
    return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
  }

  async commitOffsets(offsets: Map<string, bigint>): Promise<void> {
    if (offsets.size === 0) return;
    await this.call('OffsetCommit', (conn) =>
      offsetCommitV8.api.async(
        conn,
        this.options.groupId,
        this.generationId,
        this.memberId,
        null,
        this.offsetTopics(offsets),
      ),
    );
  }

  /** TxnOffsetCommit with this member's generation, so a zombie's commit is fenced (KIP-447). */
  async commitOffsetsInTransaction(
    offsets: Map<string, bigint>,
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
  ): Promise<void> {
    if (offsets.size === 0) return;
    const topics = this.offsetTopics(offsets).map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ ...p, committedMetadata: null })),
    }));
    const response = await this.call('TxnOffsetCommit', (conn) =>
      txnOffsetCommitV3.api.async(
        conn,
        transactionalId,
        this.options.groupId,
        producerId,
        producerEpoch,
        this.generationId,
        this.memberId,
        null,
        topics,
      ),
    );
    for (const t of response.topics)
      for (const p of t.partitions)
        if (p.errorCode !== 0)
          throw new Error(
            `TxnOffsetCommit failed for ${t.name}-${p.partitionIndex}: error code ${p.errorCode}`,
          );
  }

  async leave(): Promise<void> {
    this.stopHeartbeat();
    if (this.memberId !== '') {
      try {
        await this.call('LeaveGroup', (conn) =>
          leaveGroupV4.api.async(conn, this.options.groupId, [{ memberId: this.memberId }]),
        );
      } catch (err) {
        this.options.logger.debug({ err: (err as Error).message }, 'LeaveGroup failed');
      }
    }
    this.memberId = '';
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopHeartbeat();
    await this.resetConnection();
  }
}
