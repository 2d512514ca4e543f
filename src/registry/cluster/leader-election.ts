/**
 * Primary election through the Kafka group protocol, the way Confluent Schema Registry instances
 * elect theirs: each instance joins group `schema-registry` with protocol type `sr` and the single
 * protocol `v0`, whose metadata is its identity as JSON
 * (`{"version":1,"host":...,"port":...,"master_eligibility":true,"scheme":"http"}`). The group
 * leader picks the eligible member with the lexicographically smallest URL and hands every member
 * the same assignment (`{"version":1,"error":0,"master":<member id>,"master_identity":{...}}`;
 * error 1 when two members share a URL). Members heartbeat; a rebalance (a member joining,
 * leaving or timing out) elects again. So Samsa and Confluent instances can share a group.
 *
 * Uses @platformatic/kafka's JoinGroup v5 / SyncGroup v3 / Heartbeat v3 / LeaveGroup v3 over the
 * admin client's connection pool.
 */
import {
  type Admin,
  FindCoordinatorKeyTypes,
  heartbeatV3,
  joinGroupV5,
  leaveGroupV3,
  syncGroupV3,
} from '@platformatic/kafka';
import type { Logger } from 'pino';
import { createAdmin } from '../../client/clients.ts';
import type { KafkaConnectionOptions } from '../../client/connection-options.ts';

export const PROTOCOL_TYPE = 'sr';
export const PROTOCOL_NAME = 'v0';

export interface RegistryIdentity {
  host: string;
  port: number;
  scheme: string;
  leaderEligible: boolean;
}

export interface LeaderInfo {
  /** The primary's URL, e.g. `http://127.0.0.1:8081`. */
  url: string;
  identity: RegistryIdentity;
  /** Whether this instance is the primary. */
  self: boolean;
}

export function identityUrl(identity: RegistryIdentity): string {
  return `${identity.scheme}://${identity.host}:${identity.port}`;
}

export function encodeIdentity(identity: RegistryIdentity): Buffer {
  return Buffer.from(
    JSON.stringify({
      version: 1,
      host: identity.host,
      port: identity.port,
      master_eligibility: identity.leaderEligible,
      scheme: identity.scheme,
    }),
  );
}

export function decodeIdentity(bytes: Buffer): RegistryIdentity {
  const obj = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  return {
    host: String(obj.host),
    port: Number(obj.port),
    scheme: typeof obj.scheme === 'string' ? obj.scheme : 'http',
    leaderEligible: obj.master_eligibility !== false,
  };
}

export interface Assignment {
  error: number;
  leader: string | null;
  leaderIdentity: RegistryIdentity | null;
}

export function encodeAssignment(a: Assignment): Buffer {
  const out: Record<string, unknown> = { version: 1, error: a.error };
  if (a.leader !== null) out.master = a.leader;
  if (a.leaderIdentity !== null)
    out.master_identity = JSON.parse(encodeIdentity(a.leaderIdentity).toString());
  return Buffer.from(JSON.stringify(out));
}

export function decodeAssignment(bytes: Buffer): Assignment {
  const obj = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  return {
    error: Number(obj.error ?? 0),
    leader: typeof obj.master === 'string' ? obj.master : null,
    leaderIdentity:
      obj.master_identity && typeof obj.master_identity === 'object'
        ? decodeIdentity(Buffer.from(JSON.stringify(obj.master_identity)))
        : null,
  };
}

/** The group leader's choice: the eligible member with the smallest URL. */
export function assign(members: readonly { memberId: string; metadata: Buffer }[]): Assignment {
  let leader: { memberId: string; identity: RegistryIdentity } | null = null;
  const urls = new Set<string>();
  for (const m of members) {
    let identity: RegistryIdentity;
    try {
      identity = decodeIdentity(m.metadata);
    } catch {
      continue;
    }
    urls.add(identityUrl(identity));
    if (identity.leaderEligible && (leader === null || identityUrl(identity) < identityUrl(leader.identity)))
      leader = { memberId: m.memberId, identity };
  }
  return {
    error: urls.size !== members.length ? 1 : 0,
    leader: leader?.memberId ?? null,
    leaderIdentity: leader?.identity ?? null,
  };
}

const MEMBER_ID_REQUIRED = 79;
const REBALANCE_IN_PROGRESS = 27;
const UNKNOWN_MEMBER_ID = 25;
const ILLEGAL_GENERATION = 22;

function errorCode(err: unknown): number | null {
  const response = (err as { response?: { errorCode?: number } }).response;
  if (response && typeof response.errorCode === 'number') return response.errorCode;
  const errors = (err as { errors?: { apiCode?: number }[] }).errors;
  const code = errors?.[0]?.apiCode;
  return typeof code === 'number' ? code : null;
}

export interface LeaderElectionOptions {
  connection: KafkaConnectionOptions;
  groupId: string;
  identity: RegistryIdentity;
  clientId: string;
  logger: Logger;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Called with the new primary (or null while none is known) after every election. */
  onLeaderChange(leader: LeaderInfo | null): void | Promise<void>;
}

export class LeaderElection {
  private readonly options: LeaderElectionOptions;
  private admin: Admin | null = null;
  private memberId = '';
  private generation = -1;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  leader: LeaderInfo | null = null;

  constructor(options: LeaderElectionOptions) {
    this.options = options;
  }

  /** Starts taking part; resolves after the first election (or rejects if it cannot join). */
  start(): Promise<void> {
    this.admin = createAdmin(this.options.connection, { clientId: this.options.clientId });
    let first: ((err?: Error) => void) | null = null;
    const elected = new Promise<void>((resolve, reject) => {
      first = (err) => (err ? reject(err) : resolve());
    });
    this.loop = this.run((err) => {
      first?.(err);
      first = null;
    });
    return elected;
  }

  private async connection() {
    const [coordinator] = await this.admin!.findCoordinator({
      keyType: FindCoordinatorKeyTypes.GROUP,
      keys: [this.options.groupId],
    });
    if (!coordinator || coordinator.nodeId < 0)
      throw new Error(`no coordinator for group ${this.options.groupId}`);
    return this.admin!.connections.get({ host: coordinator.host, port: coordinator.port });
  }

  private async setLeader(leader: LeaderInfo | null): Promise<void> {
    const before = this.leader;
    this.leader = leader;
    if (before?.url !== leader?.url || before?.self !== leader?.self) {
      this.options.logger.info(
        { leader: leader?.url ?? null, self: leader?.self ?? false },
        'registry primary elected',
      );
    }
    await this.options.onLeaderChange(leader);
  }

  private async join(): Promise<void> {
    const { groupId, identity } = this.options;
    const conn = await this.connection();
    const session = this.options.sessionTimeoutMs ?? 10_000;
    const rebalance = this.options.rebalanceTimeoutMs ?? 15_000;
    const protocols = [{ name: PROTOCOL_NAME, metadata: encodeIdentity(identity) }];
    let joined: Awaited<ReturnType<typeof joinGroupV5.api.async>>;
    for (;;) {
      try {
        joined = await joinGroupV5.api.async(
          conn,
          groupId,
          session,
          rebalance,
          this.memberId,
          null,
          PROTOCOL_TYPE,
          protocols,
        );
        break;
      } catch (err) {
        const code = errorCode(err);
        const memberId = (err as { response?: { memberId?: string } }).response?.memberId;
        if (code === MEMBER_ID_REQUIRED && memberId) {
          this.memberId = memberId;
          continue;
        }
        if (code === UNKNOWN_MEMBER_ID) {
          this.memberId = '';
          continue;
        }
        throw err;
      }
    }
    this.memberId = joined.memberId;
    this.generation = joined.generationId;
    const assignments =
      joined.leader === joined.memberId
        ? joined.members.map((m) => ({
            memberId: m.memberId,
            assignment: encodeAssignment(assign(joined.members)),
          }))
        : [];
    const synced = await syncGroupV3.api.async(
      conn,
      groupId,
      this.generation,
      this.memberId,
      null,
      PROTOCOL_TYPE,
      PROTOCOL_NAME,
      assignments,
    );
    const assignment = decodeAssignment(synced.assignment);
    if (assignment.error !== 0) {
      this.options.logger.error(
        'Found duplicate URLs for schema registry group members; give each instance a distinct --advertised-host/port',
      );
    }
    const leader =
      assignment.error === 0 && assignment.leader !== null && assignment.leaderIdentity !== null
        ? {
            url: identityUrl(assignment.leaderIdentity),
            identity: assignment.leaderIdentity,
            self: assignment.leader === this.memberId,
          }
        : null;
    await this.setLeader(leader);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(firstElection: (err?: Error) => void): Promise<void> {
    const interval = this.options.heartbeatIntervalMs ?? 1_000;
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.join();
        failures = 0;
        firstElection();
        // Heartbeat until the group rebalances.
        while (!this.stopped) {
          await this.sleep(interval);
          if (this.stopped) break;
          try {
            const conn = await this.connection();
            await heartbeatV3.api.async(conn, this.options.groupId, this.generation, this.memberId, null);
          } catch (err) {
            const code = errorCode(err);
            if (code === REBALANCE_IN_PROGRESS) break;
            if (code === UNKNOWN_MEMBER_ID || code === ILLEGAL_GENERATION) {
              if (code === UNKNOWN_MEMBER_ID) this.memberId = '';
              break;
            }
            throw err;
          }
        }
      } catch (err) {
        if (this.stopped) break;
        failures++;
        this.options.logger.warn({ err }, 'registry group membership failed; retrying');
        await this.setLeader(null).catch(() => undefined);
        if (failures === 5) firstElection(err as Error);
        await this.sleep(Math.min(5_000, 200 * 2 ** Math.min(failures, 5)));
      }
    }
  }

  /** Leaves the group (so the others elect at once) and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (this.memberId !== '' && this.admin) {
      try {
        const conn = await this.connection();
        await leaveGroupV3.api.async(conn, this.options.groupId, [{ memberId: this.memberId }]);
      } catch {
        // The session timeout removes us anyway.
      }
    }
    // Closing the client also ends a JoinGroup still waiting for the other members.
    await this.admin?.close();
    await this.loop?.catch(() => undefined);
  }
}
