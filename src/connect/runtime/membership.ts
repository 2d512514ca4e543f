/**
 * Worker group membership through the Kafka group protocol with protocol type `connect` (Kafka
 * Connect's `WorkerGroupMember`): JoinGroup / SyncGroup / Heartbeat / LeaveGroup sent on our own
 * connection to the group coordinator. @platformatic/kafka's Consumer only speaks the `consumer`
 * protocol type, so this uses the library's lower-level `Connection` and its API functions
 * (joinGroupV9, syncGroupV5, heartbeatV4, leaveGroupV5; Kafka 2.4+ brokers and Samsa).
 *
 * Eager protocol: before every rejoin the worker gives up all its work (`onRevoke`), the leader
 * computes the whole assignment (`assign`), and each member starts what it got (`onAssigned`).
 * `SoloMembership` is the standalone twin: always the leader, assigned everything.
 */
import {
  type Admin,
  Connection,
  heartbeatV4,
  joinGroupV9,
  leaveGroupV5,
  syncGroupV5,
} from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { KafkaConnectionOptions } from '../../client/connection-options.ts';
import {
  type ConnectAssignment,
  decodeAssignment,
  decodeMetadata,
  encodeAssignment,
  encodeMetadata,
  type MemberMetadata,
  PROTOCOL_NAME,
  PROTOCOL_TYPE,
} from './connect-protocol.ts';

export interface AssignedWork {
  readonly generation: number;
  readonly memberId: string;
  readonly isLeader: boolean;
  readonly assignment: ConnectAssignment;
  /** Leader only: every member's id and URL. */
  readonly members: readonly { memberId: string; url: string }[];
}

export interface MembershipHooks {
  /** Leader: the assignment for every member. */
  assign(
    members: readonly ({ memberId: string } & MemberMetadata)[],
    generation: number,
    leaderId: string,
  ): Promise<Map<string, ConnectAssignment>>;
  /** Stop everything this worker runs (eager rebalance). */
  onRevoke(): Promise<void>;
  onAssigned(work: AssignedWork): Promise<void>;
  configOffset(): bigint;
}

export interface Membership {
  start(): void;
  requestRejoin(): void;
  stop(): Promise<void>;
}

export interface GroupMembershipOptions {
  connection: KafkaConnectionOptions;
  admin: Admin;
  groupId: string;
  url: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  clientId: string;
  logger: Logger;
  hooks: MembershipHooks;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** The Kafka error name of a failed group request, or null. */
function errorName(err: unknown): string | null {
  const e = err as { errors?: { apiId?: string }[]; apiId?: string };
  return e?.errors?.[0]?.apiId ?? e?.apiId ?? null;
}

export class GroupMembership implements Membership {
  readonly #o: GroupMembershipOptions;
  #connection: Connection | null = null;
  #memberId = '';
  #generation = -1;
  #needJoin = true;
  #hasWork = false;
  #stopped = new AbortController();
  #wake = new AbortController();
  #loop: Promise<void> | null = null;

  constructor(options: GroupMembershipOptions) {
    this.#o = options;
  }

  start(): void {
    this.#loop = this.#run();
  }

  requestRejoin(): void {
    this.#needJoin = true;
    this.#wake.abort();
  }

  async #coordinator(): Promise<Connection> {
    if (this.#connection?.isConnected()) return this.#connection;
    await this.#connection?.close().catch(() => {});
    const [found] = await this.#o.admin.findCoordinator({ keyType: 0, keys: [this.#o.groupId] });
    if (!found) throw new Error(`no coordinator for group ${this.#o.groupId}`);
    const { tls, sasl, tlsServerName } = this.#o.connection;
    const connection = new Connection(this.#o.clientId, {
      connectTimeout: 10_000,
      requestTimeout: this.#o.rebalanceTimeoutMs + 10_000,
      ...(tls ? { tls } : {}),
      ...(sasl ? { sasl } : {}),
      ...(tlsServerName ? { tlsServerName } : {}),
    });
    connection.on('error', () => {});
    await connection.connect(found.host, found.port);
    this.#connection = connection;
    return connection;
  }

  async #dropConnection(): Promise<void> {
    const c = this.#connection;
    this.#connection = null;
    await c?.close().catch(() => {});
  }

  async #run(): Promise<void> {
    const signal = this.#stopped.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (this.#needJoin) await this.#join();
        else {
          await this.#heartbeat();
          if (this.#wake.signal.aborted) this.#wake = new AbortController();
          await sleep(this.#o.heartbeatIntervalMs, AbortSignal.any([signal, this.#wake.signal]));
          if (this.#wake.signal.aborted) this.#wake = new AbortController();
        }
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        const name = errorName(err);
        if (name === 'REBALANCE_IN_PROGRESS') {
          this.#needJoin = true;
          continue;
        }
        if (name === 'UNKNOWN_MEMBER_ID' || name === 'ILLEGAL_GENERATION' || name === 'FENCED_INSTANCE_ID') {
          this.#memberId = name === 'UNKNOWN_MEMBER_ID' ? '' : this.#memberId;
          this.#needJoin = true;
          continue;
        }
        if (name === 'MEMBER_ID_REQUIRED') {
          this.#memberId = (err as { response?: { memberId?: string } }).response?.memberId ?? '';
          this.#needJoin = true;
          continue;
        }
        failures++;
        this.#o.logger.warn({ err, errorName: name }, 'group membership request failed; retrying');
        if (name === null || name === 'NOT_COORDINATOR' || name === 'COORDINATOR_NOT_AVAILABLE') {
          await this.#dropConnection();
        }
        this.#needJoin = this.#needJoin || failures > 2;
        await sleep(Math.min(200 * 2 ** failures, 5_000), signal);
      }
    }
  }

  async #join(): Promise<void> {
    const { hooks, groupId } = this.#o;
    if (this.#hasWork) {
      await hooks.onRevoke();
      this.#hasWork = false;
    }
    this.#needJoin = false;
    const connection = await this.#coordinator();
    const joined = await joinGroupV9.api.async(
      connection,
      groupId,
      this.#o.sessionTimeoutMs,
      this.#o.rebalanceTimeoutMs,
      this.#memberId,
      null,
      PROTOCOL_TYPE,
      [
        {
          name: PROTOCOL_NAME,
          metadata: encodeMetadata({ url: this.#o.url, configOffset: hooks.configOffset() }),
        },
      ],
      null,
    );
    this.#memberId = joined.memberId;
    this.#generation = joined.generationId;
    const isLeader = joined.leader === joined.memberId;
    let members: { memberId: string; url: string }[] = [];
    let assignments: { memberId: string; assignment: Buffer }[] = [];
    if (isLeader) {
      const decoded = joined.members.map((m) => ({ memberId: m.memberId, ...decodeMetadata(m.metadata) }));
      members = decoded.map((m) => ({ memberId: m.memberId, url: m.url }));
      const plan = await hooks.assign(decoded, joined.generationId, joined.memberId);
      assignments = [...plan].map(([memberId, a]) => ({ memberId, assignment: encodeAssignment(a) }));
    }
    const synced = await syncGroupV5.api.async(
      connection,
      groupId,
      joined.generationId,
      joined.memberId,
      null,
      PROTOCOL_TYPE,
      PROTOCOL_NAME,
      assignments,
    );
    if (this.#needJoin) return; // a change arrived meanwhile: join again before starting anything
    const assignment = decodeAssignment(synced.assignment);
    this.#hasWork = true;
    await hooks.onAssigned({
      generation: joined.generationId,
      memberId: joined.memberId,
      isLeader,
      assignment,
      members,
    });
  }

  async #heartbeat(): Promise<void> {
    const connection = await this.#coordinator();
    await heartbeatV4.api.async(connection, this.#o.groupId, this.#generation, this.#memberId, null);
  }

  async stop(): Promise<void> {
    this.#stopped.abort();
    this.#wake.abort();
    const connection = this.#connection;
    // Leave first so the others rebalance at once; the join loop may be blocked in JoinGroup.
    if (connection && this.#memberId !== '') {
      await leaveGroupV5.api
        .async(connection, this.#o.groupId, [
          { memberId: this.#memberId, groupInstanceId: null, reason: 'worker stopping' },
        ])
        .catch(() => {});
    }
    await this.#dropConnection();
    await this.#loop?.catch(() => {});
  }
}

/** Standalone: one member, always the leader, assigned every connector and task. */
export class SoloMembership implements Membership {
  readonly #hooks: MembershipHooks;
  readonly #url: string;
  #generation = 0;
  #queue: Promise<void> = Promise.resolve();

  constructor(url: string, hooks: MembershipHooks) {
    this.#url = url;
    this.#hooks = hooks;
  }

  start(): void {
    this.requestRejoin();
  }

  requestRejoin(): void {
    this.#queue = this.#queue
      .then(async () => {
        await this.#hooks.onRevoke();
        const generation = ++this.#generation;
        const plan = await this.#hooks.assign(
          [{ memberId: 'standalone', url: this.#url, configOffset: this.#hooks.configOffset() }],
          generation,
          'standalone',
        );
        await this.#hooks.onAssigned({
          generation,
          memberId: 'standalone',
          isLeader: true,
          assignment: plan.get('standalone')!,
          members: [{ memberId: 'standalone', url: this.#url }],
        });
      })
      .catch(() => {});
  }

  async stop(): Promise<void> {
    await this.#queue;
  }
}
