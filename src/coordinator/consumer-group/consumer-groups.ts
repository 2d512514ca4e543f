/**
 * Groups of the consumer group protocol (KIP-848): members heartbeat (ConsumerGroupHeartbeat) and
 * the coordinator computes their assignment with a server-side assignor (assignors.ts). Every
 * membership or subscription change (or a change of the subscribed topics' partitions) bumps the
 * group epoch; the target assignment is recomputed for it; each member then moves towards its
 * target on its own heartbeats, revoke before assign: partitions it must give up are taken away
 * first (its epoch stays until it reports them gone), and a partition is only handed to a member
 * once no other member owns it, so no partition is ever owned twice. Member epochs fence zombies
 * (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID) and validate offset commits and fetches
 * (STALE_MEMBER_EPOCH). Static members (instance id) that leave with epoch -2 keep their
 * assignment for a rejoin within the session timeout. Subscriptions are topic lists or a regular
 * expression (RE2 syntax as Kafka, run here as a JavaScript RegExp). Members that stop
 * heartbeating for group.consumer.session.timeout.ms, or do not revoke within their rebalance
 * timeout, are removed.
 * Every change is written to __consumer_offsets with Kafka's record types (persistence.ts) before
 * the heartbeat is answered, and replayed at start: members come back with their epochs and
 * partitions and a fresh session to heartbeat in.
 * Not implemented (yet): classic-protocol members joining a consumer group (online migration),
 * rack-aware assignment.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.ts';
import type { StoredRecord } from '../types.ts';
import { ASSIGNORS, type AssignorName, type AssignorTopic, assign } from './assignors.ts';
import { type GroupSnapshot, groupRecords, loadGroupRecords } from './persistence.ts';

export interface ConsumerGroupConfig {
  /** group.consumer.session.timeout.ms */
  sessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms */
  heartbeatIntervalMs: number;
  /** group.consumer.assignors: the first is the default. */
  assignors: readonly AssignorName[];
}

export interface TopicView {
  list(): { name: string; topicId: string; partitionCount: number; internal: boolean }[];
}

export interface HeartbeatInput {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  topicPartitions: { topicId: string; partitions: number[] }[] | null;
  clientId: string;
  clientHost: string;
}

export interface HeartbeatOutput {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: { topicPartitions: { topicId: string; partitions: number[] }[] } | null;
}

type MemberState = 'stable' | 'unrevoked' | 'unreleased';
type Partitions = Map<string, number[]>;

interface Member {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  topicNames: string[];
  topicRegex: string | null;
  regex: RegExp | null;
  serverAssignor: string | null;
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  assigned: Partitions;
  pendingRevocation: Partitions;
  lastHeartbeat: number;
  revokingSince: number;
  lastSent: string | null;
  /** Left with epoch -2 (static): kept, assignment and all, until the session times out. */
  departed: boolean;
}

export interface DescribedMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: Partitions;
  targetAssignment: Partitions;
}

export interface DescribedConsumerGroup {
  groupId: string;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: DescribedMember[];
}

class ConsumerGroup {
  readonly groupId: string;
  groupEpoch = 0;
  targetEpoch = 0;
  readonly members = new Map<string, Member>();
  target = new Map<string, Partitions>();
  /** `topicId:partition` → the member that owns it (assigned or still revoking). */
  readonly owners = new Map<string, string>();
  topicsSignature = '';
  assignorName: AssignorName;

  constructor(groupId: string, assignor: AssignorName) {
    this.groupId = groupId;
    this.assignorName = assignor;
  }

  get state(): string {
    const active = [...this.members.values()].filter((m) => !m.departed);
    if (active.length === 0) return 'Empty';
    if (this.targetEpoch < this.groupEpoch) return 'Assigning';
    if (active.some((m) => m.memberEpoch !== this.targetEpoch || m.state !== 'stable')) return 'Reconciling';
    return 'Stable';
  }
}

const key = (topicId: string, p: number): string => `${topicId}:${p}`;

function serialize(p: Partitions): string {
  return [...p.entries()]
    .filter(([, list]) => list.length > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, list]) => `${t}:${[...list].sort((a, b) => a - b).join(',')}`)
    .join(';');
}

function toList(p: Partitions): { topicId: string; partitions: number[] }[] {
  return [...p.entries()]
    .filter(([, list]) => list.length > 0)
    .map(([topicId, partitions]) => ({ topicId, partitions: [...partitions].sort((a, b) => a - b) }));
}

function fail(errorCode: number, errorMessage: string | null = null): HeartbeatOutput {
  return {
    errorCode,
    errorMessage,
    memberId: null,
    memberEpoch: -1,
    heartbeatIntervalMs: 0,
    assignment: null,
  };
}

const STATE_CODES: Record<MemberState, number> = { stable: 0, unreleased: 1, unrevoked: 2 };
const STATES_BY_CODE: MemberState[] = ['stable', 'unreleased', 'unrevoked'];

export interface ConsumerGroupPersistence {
  /** Appends records to __consumer_offsets; resolves once they are durable. */
  append(records: StoredRecord[]): Promise<void>;
  /** Failures of writes nobody waits for (expiry). */
  onError(err: unknown): void;
}

export class ConsumerGroupCoordinator {
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly config: ConsumerGroupConfig;
  private readonly topics: TopicView;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;
  private readonly store: ConsumerGroupPersistence | undefined;
  /** Per group: the records last written, key hex → value hex. */
  private readonly written = new Map<string, Map<string, string>>();

  constructor(
    config: ConsumerGroupConfig,
    topics: TopicView,
    now: () => number = Date.now,
    store?: ConsumerGroupPersistence,
  ) {
    this.config = config;
    this.topics = topics;
    this.now = now;
    this.store = store;
    this.timer = setInterval(
      () => this.expireMembers(),
      Math.min(1000, Math.max(100, config.sessionTimeoutMs / 4)),
    );
    this.timer.unref();
  }

  shutdown(): void {
    clearInterval(this.timer);
  }

  /** Rebuilds the groups from __consumer_offsets records (at start). */
  load(records: Iterable<StoredRecord>): void {
    const now = this.now();
    for (const snap of loadGroupRecords(records)) {
      const group = new ConsumerGroup(snap.groupId, this.config.assignors[0] ?? 'uniform');
      group.groupEpoch = snap.groupEpoch;
      group.targetEpoch = snap.targetEpoch;
      group.target = snap.target;
      for (const m of snap.members) {
        const departed = m.memberEpoch === -2;
        const member: Member = {
          memberId: m.memberId,
          instanceId: m.instanceId,
          rackId: m.rackId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          topicNames: m.topicNames,
          topicRegex: m.topicRegex,
          regex: m.topicRegex === null ? null : safeRegex(m.topicRegex),
          serverAssignor: m.serverAssignor,
          memberEpoch: departed ? m.previousMemberEpoch : m.memberEpoch,
          previousMemberEpoch: m.previousMemberEpoch,
          state: STATES_BY_CODE[m.state] ?? 'stable',
          assigned: m.assigned,
          pendingRevocation: m.pendingRevocation,
          lastHeartbeat: now,
          revokingSince: now,
          lastSent: null,
          departed,
        };
        group.members.set(m.memberId, member);
        for (const parts of [m.assigned, m.pendingRevocation])
          for (const [t, list] of parts) for (const p of list) group.owners.set(key(t, p), m.memberId);
      }
      this.groups.set(snap.groupId, group);
      this.written.set(snap.groupId, hexes(groupRecords(this.snapshot(group))));
    }
  }

  private snapshot(group: ConsumerGroup): GroupSnapshot {
    return {
      groupId: group.groupId,
      groupEpoch: group.groupEpoch,
      targetEpoch: group.targetEpoch,
      target: group.target,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        rackId: m.rackId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        topicNames: m.topicNames,
        topicRegex: m.topicRegex,
        serverAssignor: m.serverAssignor,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        memberEpoch: m.departed ? -2 : m.memberEpoch,
        previousMemberEpoch: m.departed ? m.memberEpoch : m.previousMemberEpoch,
        state: STATE_CODES[m.state],
        assigned: m.assigned,
        pendingRevocation: m.pendingRevocation,
      })),
    };
  }

  /**
   * Writes what changed in a group since its last write (tombstones for what is gone; all of it
   * when the group was deleted). Resolves once durable.
   */
  async persist(groupId: string): Promise<void> {
    if (!this.store) return;
    const group = this.groups.get(groupId);
    const now = group ? groupRecords(this.snapshot(group)) : new Map<string, StoredRecord>();
    const before = this.written.get(groupId) ?? new Map<string, string>();
    const out: StoredRecord[] = [];
    for (const [k, r] of now) if (before.get(k) !== r.value!.toString('hex')) out.push(r);
    // Tombstones: member records first, the group's own last (as Kafka orders them).
    const gone = [...before.keys()].filter((k) => !now.has(k)).sort((a, b) => b.localeCompare(a));
    for (const k of gone) out.push({ key: Buffer.from(k, 'hex'), value: null });
    if (out.length === 0) return;
    if (group) this.written.set(groupId, hexes(now));
    else this.written.delete(groupId);
    try {
      await this.store.append(out);
    } catch (err) {
      this.written.delete(groupId); // rewrite everything next time
      throw err;
    }
  }

  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  heartbeat(req: HeartbeatInput): HeartbeatOutput {
    if (req.groupId === '') return fail(ErrorCode.INVALID_REQUEST, "GroupId can't be empty.");
    if (req.memberEpoch === 0) {
      if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null)
        return fail(
          ErrorCode.INVALID_REQUEST,
          'SubscribedTopicNames or SubscribedTopicRegex must be set in first request.',
        );
      if (req.topicPartitions !== null && req.topicPartitions.length > 0)
        return fail(ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.');
    }
    if (
      req.serverAssignor !== null &&
      !(this.config.assignors as readonly string[]).includes(req.serverAssignor)
    )
      return fail(
        ErrorCode.UNSUPPORTED_ASSIGNOR,
        `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${this.config.assignors.join(', ')}.`,
      );
    let regex: RegExp | null = null;
    if (req.subscribedTopicRegex !== null) {
      try {
        regex = new RegExp(`^(?:${req.subscribedTopicRegex})$`);
      } catch (err) {
        return fail(
          ErrorCode.INVALID_REQUEST,
          `SubscribedTopicRegex ${req.subscribedTopicRegex} is not a valid regular expression: ${(err as Error).message}`,
        );
      }
    }
    let group = this.groups.get(req.groupId);
    if (req.memberEpoch < 0) return this.leave(group, req);
    if (!group) {
      if (req.memberEpoch !== 0)
        return fail(
          ErrorCode.UNKNOWN_MEMBER_ID,
          `Member ${req.memberId} is not a member of group ${req.groupId}.`,
        );
      group = new ConsumerGroup(req.groupId, this.config.assignors[0] ?? 'uniform');
      this.groups.set(req.groupId, group);
    }
    const now = this.now();
    let member: Member;
    let changed = false;
    if (req.memberEpoch === 0) {
      const joined = this.join(group, req, now);
      if ('errorCode' in joined) return joined;
      ({ member, changed } = joined);
    } else {
      const found = group.members.get(req.memberId);
      if (!found || found.departed)
        return fail(
          ErrorCode.UNKNOWN_MEMBER_ID,
          `Member ${req.memberId} is not a member of group ${req.groupId}.`,
        );
      if (req.memberEpoch !== found.memberEpoch) {
        const lostResponse =
          req.memberEpoch === found.previousMemberEpoch &&
          req.topicPartitions !== null &&
          req.topicPartitions.every((t) =>
            t.partitions.every((p) => found.assigned.get(t.topicId)?.includes(p)),
          );
        if (!lostResponse)
          return fail(
            ErrorCode.FENCED_MEMBER_EPOCH,
            `The member epoch ${req.memberEpoch} is fenced by the coordinator (current ${found.memberEpoch}).`,
          );
        found.lastSent = null;
      }
      member = found;
    }
    member.lastHeartbeat = now;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    if (req.rackId !== null) member.rackId = req.rackId;
    if (req.rebalanceTimeoutMs > 0) member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    if (req.serverAssignor !== null && req.serverAssignor !== member.serverAssignor) {
      member.serverAssignor = req.serverAssignor;
      changed = true;
    }
    if (
      req.subscribedTopicNames !== null &&
      req.subscribedTopicNames.join('\u0000') !== member.topicNames.join('\u0000')
    ) {
      member.topicNames = [...req.subscribedTopicNames].sort();
      changed = true;
    }
    if (req.subscribedTopicRegex !== null && req.subscribedTopicRegex !== member.topicRegex) {
      member.topicRegex = req.subscribedTopicRegex === '' ? null : req.subscribedTopicRegex;
      member.regex = req.subscribedTopicRegex === '' ? null : regex;
      changed = true;
    }
    if (changed) group.groupEpoch++;
    // Partitions the member reports it no longer owns are released.
    if (req.topicPartitions !== null && member.state === 'unrevoked') {
      const owned = new Set(req.topicPartitions.flatMap((t) => t.partitions.map((p) => key(t.topicId, p))));
      const still = [...member.pendingRevocation].some(([t, list]) => list.some((p) => owned.has(key(t, p))));
      if (!still) this.releasePending(group, member);
    }
    this.refreshTarget(group);
    this.reconcile(group, member, now);
    const assigned = serialize(member.assigned);
    const reported =
      req.topicPartitions === null
        ? null
        : serialize(new Map(req.topicPartitions.map((t) => [t.topicId, t.partitions])));
    const send = member.lastSent !== assigned || (reported !== null && reported !== assigned);
    member.lastSent = assigned;
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      assignment: send ? { topicPartitions: toList(member.assigned) } : null,
    };
  }

  private join(
    group: ConsumerGroup,
    req: HeartbeatInput,
    now: number,
  ): { member: Member; changed: boolean } | HeartbeatOutput {
    const memberId = req.memberId !== '' ? req.memberId : randomUUID();
    if (req.instanceId !== null) {
      const holder = [...group.members.values()].find((m) => m.instanceId === req.instanceId);
      if (holder && !holder.departed && holder.memberId !== memberId)
        return fail(
          ErrorCode.UNRELEASED_INSTANCE_ID,
          `Static member ${req.instanceId} is still active as ${holder.memberId}.`,
        );
      if (holder) {
        // A static member back under a new member id takes over its assignment, no rebalance.
        group.members.delete(holder.memberId);
        for (const [k, owner] of group.owners) if (owner === holder.memberId) group.owners.set(k, memberId);
        const target = group.target.get(holder.memberId);
        group.target.delete(holder.memberId);
        if (target) group.target.set(memberId, target);
        const member: Member = { ...holder, memberId, departed: false, lastSent: null, lastHeartbeat: now };
        if (member.memberEpoch < 0) member.memberEpoch = member.previousMemberEpoch;
        group.members.set(memberId, member);
        return { member, changed: false };
      }
    }
    const existing = group.members.get(memberId);
    if (existing) this.remove(group, existing);
    const member: Member = {
      memberId,
      instanceId: req.instanceId,
      rackId: req.rackId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : 300_000,
      topicNames: [],
      topicRegex: null,
      regex: null,
      serverAssignor: null,
      memberEpoch: 0,
      previousMemberEpoch: 0,
      state: 'stable',
      assigned: new Map(),
      pendingRevocation: new Map(),
      lastHeartbeat: now,
      revokingSince: 0,
      lastSent: null,
      departed: false,
    };
    group.members.set(memberId, member);
    return { member, changed: true };
  }

  private leave(group: ConsumerGroup | undefined, req: HeartbeatInput): HeartbeatOutput {
    const member = group?.members.get(req.memberId);
    if (!group || !member)
      return fail(
        ErrorCode.UNKNOWN_MEMBER_ID,
        `Member ${req.memberId} is not a member of group ${req.groupId}.`,
      );
    if (req.memberEpoch === -2 && member.instanceId !== null) {
      member.departed = true;
      member.lastHeartbeat = this.now();
    } else {
      this.remove(group, member);
      group.groupEpoch++;
    }
    return {
      errorCode: 0,
      errorMessage: null,
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      heartbeatIntervalMs: 0,
      assignment: null,
    };
  }

  private remove(group: ConsumerGroup, member: Member): void {
    group.members.delete(member.memberId);
    group.target.delete(member.memberId);
    for (const [k, owner] of group.owners) if (owner === member.memberId) group.owners.delete(k);
  }

  private releasePending(group: ConsumerGroup, member: Member): void {
    for (const [t, list] of member.pendingRevocation)
      for (const p of list)
        if (group.owners.get(key(t, p)) === member.memberId) group.owners.delete(key(t, p));
    member.pendingRevocation = new Map();
    member.state = 'stable';
  }

  /** Recomputes the target assignment when the group epoch moved or the subscribed topics changed. */
  private refreshTarget(group: ConsumerGroup): void {
    const all = this.topics.list().filter((t) => !t.internal);
    const members = [...group.members.values()];
    const subscribed = (m: Member) =>
      new Set(
        all
          .filter((t) => m.topicNames.includes(t.name) || (m.regex?.test(t.name) ?? false))
          .map((t) => t.topicId),
      );
    const subs = members.map((m) => ({ m, topics: subscribed(m) }));
    const used = new Set(subs.flatMap((s) => [...s.topics]));
    const topics: AssignorTopic[] = all
      .filter((t) => used.has(t.topicId))
      .map((t) => ({ topicId: t.topicId, partitionCount: t.partitionCount }));
    const signature = topics
      .map((t) => `${t.topicId}:${t.partitionCount}`)
      .sort()
      .join(',');
    if (signature !== group.topicsSignature) {
      group.topicsSignature = signature;
      // Already due for a new assignment: that one will see the new topics.
      if (members.length > 0 && group.targetEpoch >= group.groupEpoch) group.groupEpoch++;
    }
    if (group.targetEpoch >= group.groupEpoch) return;
    const preferred = members.find((m) => m.serverAssignor !== null)?.serverAssignor;
    group.assignorName = (preferred as AssignorName | undefined) ?? this.config.assignors[0] ?? 'uniform';
    const result = assign(
      group.assignorName,
      subs.map(({ m, topics }) => ({
        memberId: m.memberId,
        topics,
        current: group.target.get(m.memberId) ?? m.assigned,
      })),
      topics,
    );
    group.target = result;
    group.targetEpoch = group.groupEpoch;
  }

  /** Moves a member towards its target: revoke first, then assign what no one else owns. */
  private reconcile(group: ConsumerGroup, member: Member, now: number): void {
    if (member.state === 'unrevoked') return;
    if (member.memberEpoch === group.targetEpoch && member.state === 'stable') return;
    const target = group.target.get(member.memberId) ?? new Map<string, number[]>();
    const keep: Partitions = new Map();
    const revoke: Partitions = new Map();
    for (const [t, list] of member.assigned) {
      const want = new Set(target.get(t) ?? []);
      const k = list.filter((p) => want.has(p));
      const r = list.filter((p) => !want.has(p));
      if (k.length > 0) keep.set(t, k);
      if (r.length > 0) revoke.set(t, r);
    }
    if (revoke.size > 0) {
      member.assigned = keep;
      member.pendingRevocation = revoke;
      member.state = 'unrevoked';
      member.revokingSince = now;
      return;
    }
    let unreleased = false;
    const next: Partitions = new Map([...keep].map(([t, l]) => [t, [...l]]));
    for (const [t, list] of target) {
      for (const p of list) {
        if (next.get(t)?.includes(p)) continue;
        const owner = group.owners.get(key(t, p));
        if (owner !== undefined && owner !== member.memberId) {
          unreleased = true;
          continue;
        }
        group.owners.set(key(t, p), member.memberId);
        const l = next.get(t);
        if (l) l.push(p);
        else next.set(t, [p]);
      }
    }
    member.assigned = next;
    if (member.memberEpoch !== group.targetEpoch) {
      member.previousMemberEpoch = member.memberEpoch;
      member.memberEpoch = group.targetEpoch;
    }
    member.state = unreleased ? 'unreleased' : 'stable';
  }

  /** Removes members past their session or rebalance timeout (run every second; tests call it). */
  expireMembers(): void {
    const now = this.now();
    for (const group of this.groups.values()) {
      for (const m of [...group.members.values()]) {
        const sessionOver = now - m.lastHeartbeat > this.config.sessionTimeoutMs;
        const revokeOver = m.state === 'unrevoked' && now - m.revokingSince > m.rebalanceTimeoutMs;
        if (sessionOver || revokeOver) {
          this.remove(group, m);
          group.groupEpoch++;
          this.persist(group.groupId).catch((err: unknown) => this.store?.onError(err));
        }
      }
    }
  }

  /** OffsetCommit / OffsetFetch by a member: its epoch must be current. NONE when allowed. */
  validateOffsetAccess(groupId: string, memberId: string, memberEpoch: number, commit: boolean): number {
    const group = this.groups.get(groupId);
    if (!group) return ErrorCode.NONE;
    if (memberEpoch < 0 && memberId === '') {
      // Admin or standalone: commits only while the group has no active member.
      return commit && group.state !== 'Empty' ? ErrorCode.UNKNOWN_MEMBER_ID : ErrorCode.NONE;
    }
    const member = group.members.get(memberId);
    if (!member || member.departed) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (memberEpoch !== member.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
    return ErrorCode.NONE;
  }

  describe(groupId: string): DescribedConsumerGroup | undefined {
    const group = this.groups.get(groupId);
    if (!group) return undefined;
    return {
      groupId,
      groupState: group.state,
      groupEpoch: group.groupEpoch,
      assignmentEpoch: group.targetEpoch,
      assignorName: group.assignorName,
      members: [...group.members.values()]
        .filter((m) => !m.departed)
        .map((m) => ({
          memberId: m.memberId,
          instanceId: m.instanceId,
          rackId: m.rackId,
          memberEpoch: m.memberEpoch,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: m.topicNames,
          subscribedTopicRegex: m.topicRegex,
          assignment: m.assigned,
          targetAssignment: group.target.get(m.memberId) ?? new Map(),
        })),
    };
  }

  /** Groups for ListGroups: id and state. */
  list(): { groupId: string; state: string }[] {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, state: g.state }));
  }

  /** DeleteGroups: only an empty group can go. */
  delete(groupId: string): number {
    const group = this.groups.get(groupId);
    if (!group) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    this.groups.delete(groupId);
    this.persist(groupId).catch((err: unknown) => this.store?.onError(err));
    return ErrorCode.NONE;
  }
}

function hexes(records: Map<string, StoredRecord>): Map<string, string> {
  return new Map([...records].map(([k, r]) => [k, r.value!.toString('hex')]));
}

function safeRegex(source: string): RegExp | null {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch {
    return null;
  }
}

export { ASSIGNORS };
