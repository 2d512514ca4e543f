/**
 * ClassicGroup: the in-memory state of one classic group — state and generation, members and
 * static instance ids, members pending join (KIP-394) or sync, protocol votes, the leader, and the
 * topics the "consumer" protocol members subscribe to. Pure data plus Kafka's rules on it; timers,
 * responses and persistence live in the coordinator modules.
 */

import { ErrorCode } from '../protocol/errors.ts';
import { CONSUMER_PROTOCOL_TYPE, subscribedTopicsOf } from './consumer-protocol.ts';
import { canTransition, type GroupState } from './group-state.ts';
import type { ClassicGroupMember } from './member.ts';
import type { JoinGroupMember, JoinGroupProtocol } from './types.ts';

export class ClassicGroup {
  readonly groupId: string;
  state: GroupState;
  previousState: GroupState = 'Dead';
  /** When the group entered its current state (ms); null if unknown (old records). */
  currentStateTimestamp: number | null;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  /** Set while an initial (from Empty) rebalance is delayed and a new member arrived. */
  newMemberAdded = false;
  /** Topics the consumer-protocol members subscribe to; null when not known. */
  subscribedTopics: ReadonlySet<string> | null = null;

  readonly members = new Map<string, ClassicGroupMember>();
  private readonly staticMembers = new Map<string, string>();
  private readonly pendingJoinMembers = new Set<string>();
  private readonly pendingSyncMembers = new Set<string>();
  private readonly protocolVotes = new Map<string, number>();

  constructor(groupId: string, state: GroupState, now: number | null) {
    this.groupId = groupId;
    this.state = state;
    this.currentStateTimestamp = now;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  get size(): number {
    return this.members.size;
  }

  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  member(memberId: string): ClassicGroupMember | undefined {
    return this.members.get(memberId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  transitionTo(state: GroupState, now: number): void {
    if (!canTransition(this.state, state)) {
      throw new Error(`group ${this.groupId}: illegal transition ${this.state} -> ${state}`);
    }
    this.previousState = this.state;
    this.state = state;
    this.currentStateTimestamp = now;
  }

  /** Whether a rebalance may start now (Stable, CompletingRebalance or Empty). */
  canRebalance(): boolean {
    return canTransition(this.state, 'PreparingRebalance');
  }

  add(member: ClassicGroupMember): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) {
        throw new Error(`static member ${member.groupInstanceId} is already in group ${this.groupId}`);
      }
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.countVotes(member.protocols, 1);
    this.pendingJoinMembers.delete(member.memberId);
  }

  remove(memberId: string): ClassicGroupMember | undefined {
    const removed = this.members.get(memberId);
    if (removed !== undefined) {
      this.members.delete(memberId);
      this.countVotes(removed.protocols, -1);
      if (removed.groupInstanceId !== null) this.staticMembers.delete(removed.groupInstanceId);
    }
    if (this.isLeader(memberId)) {
      const next = this.members.keys().next();
      this.leaderId = next.done ? null : next.value;
    }
    this.pendingJoinMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
    return removed;
  }

  /** Replaces a member's protocols and timeouts (a rejoin). */
  updateMember(
    member: ClassicGroupMember,
    protocols: JoinGroupProtocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
  ): void {
    this.countVotes(member.protocols, -1);
    member.protocols = protocols;
    this.countVotes(protocols, 1);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
  }

  /** Static member restart: the member keeps everything but takes newMemberId. */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicGroupMember {
    const old = this.members.get(oldMemberId);
    if (old === undefined) throw new Error(`cannot replace unknown member ${oldMemberId}`);
    const replacement = old.withMemberId(newMemberId);
    // Rebuild the map so the member keeps its position (leader re-election order stays stable).
    const entries = [...this.members.entries()].map(([id, m]): [string, ClassicGroupMember] =>
      id === oldMemberId ? [newMemberId, replacement] : [id, m],
    );
    this.members.clear();
    for (const [id, m] of entries) this.members.set(id, m);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    this.pendingSyncMembers.delete(oldMemberId);
    return replacement;
  }

  /** Keeps the leader if it rejoined, else picks a member that did; false if none did. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader?.isAwaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  staticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  hasStaticMember(groupInstanceId: string): boolean {
    return this.staticMembers.has(groupInstanceId);
  }

  /**
   * Kafka's validateMember: a given instance id must map to this member id (else UNKNOWN_MEMBER_ID
   * if unknown, FENCED_INSTANCE_ID if mapped to another id), and the member must exist.
   */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const existing = this.staticMembers.get(groupInstanceId);
      if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (existing !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  isPendingMember(memberId: string): boolean {
    return this.pendingJoinMembers.has(memberId);
  }

  addPendingMember(memberId: string): void {
    this.pendingJoinMembers.add(memberId);
  }

  removePendingMember(memberId: string): void {
    this.pendingJoinMembers.delete(memberId);
  }

  get numPendingJoinMembers(): number {
    return this.pendingJoinMembers.size;
  }

  addPendingSyncMember(memberId: string): void {
    this.pendingSyncMembers.add(memberId);
  }

  removePendingSyncMember(memberId: string): void {
    this.pendingSyncMembers.delete(memberId);
  }

  pendingSyncMemberIds(): string[] {
    return [...this.pendingSyncMembers];
  }

  clearPendingSyncMembers(): void {
    this.pendingSyncMembers.clear();
  }

  hasReceivedSyncFromAllMembers(): boolean {
    return this.pendingSyncMembers.size === 0;
  }

  numAwaitingJoin(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.isAwaitingJoin) n++;
    return n;
  }

  hasAllMembersJoined(): boolean {
    return this.numAwaitingJoin() === this.members.size && this.pendingJoinMembers.size === 0;
  }

  notYetRejoinedMembers(): ClassicGroupMember[] {
    return [...this.members.values()].filter((m) => !m.isAwaitingJoin);
  }

  /** The group's rebalance timeout: the largest of its members'. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /**
   * Whether a member with this protocol type and protocols may join: any non-empty type and list
   * while Empty; otherwise the same type and at least one protocol every member supports.
   */
  supportsProtocols(protocolType: string, protocolNames: readonly string[]): boolean {
    if (this.is('Empty')) return protocolType !== '' && protocolNames.length > 0;
    return (
      this.protocolType === protocolType &&
      protocolNames.some((name) => (this.protocolVotes.get(name) ?? 0) === this.members.size)
    );
  }

  /** Protocols supported by every member; each member votes for its preferred one; most votes wins. */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error(`cannot select a protocol for empty group ${this.groupId}`);
    const candidates = new Set<string>();
    for (const [name, count] of this.protocolVotes) if (count === this.members.size) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.vote(candidates);
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best: string | undefined;
    let bestVotes = -1;
    for (const [name, count] of votes) {
      if (count > bestVotes) {
        best = name;
        bestVotes = count;
      }
    }
    return best!;
  }

  /** Starts the next generation: CompletingRebalance with a selected protocol, or Empty. */
  initNextGeneration(now: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance', now);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('Empty', now);
    }
    this.pendingSyncMembers.clear();
  }

  usesConsumerProtocol(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  /** Union of the members' subscribed topics for the "consumer" protocol type; null if unknown. */
  computeSubscribedTopics(): ReadonlySet<string> | null {
    if (!this.usesConsumerProtocol()) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    try {
      for (const m of this.members.values()) {
        for (const t of subscribedTopicsOf(m.metadata(this.protocolName))) topics.add(t);
      }
    } catch {
      return null;
    }
    return topics;
  }

  /** Unknown subscriptions count as subscribed for consumer groups (Kafka's safe default). */
  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === null ? this.usesConsumerProtocol() : this.subscribedTopics.has(topic);
  }

  /** The members list a leader receives in its JoinGroup response. */
  joinMembers(): JoinGroupMember[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(this.protocolName),
    }));
  }

  groupAssignment(): Map<string, Buffer> {
    return new Map([...this.members.values()].map((m) => [m.memberId, m.assignment]));
  }

  private countVotes(protocols: JoinGroupProtocol[], delta: number): void {
    for (const p of protocols) {
      const next = (this.protocolVotes.get(p.name) ?? 0) + delta;
      if (next === 0) this.protocolVotes.delete(p.name);
      else this.protocolVotes.set(p.name, next);
    }
  }
}
