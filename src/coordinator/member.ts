/**
 * ClassicGroupMember: one member of a classic group — identity, timeouts, the protocols it
 * supports (in preference order), its current assignment, and the JoinGroup/SyncGroup responses
 * it is waiting for (held as resolvers until the rebalance gets there).
 */
import type { JoinGroupProtocol, JoinGroupResult, SyncGroupResult } from './types.ts';

export const EMPTY_ASSIGNMENT: Buffer = Buffer.alloc(0);

export interface MemberInit {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: JoinGroupProtocol[];
  assignment?: Buffer;
}

export class ClassicGroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly protocolType: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocols: JoinGroupProtocol[];
  assignment: Buffer;
  /** Joined in the current rebalance and not yet through it (its join may time out). */
  isNew = false;
  joinResolver: ((result: JoinGroupResult) => void) | null = null;
  syncResolver: ((result: SyncGroupResult) => void) | null = null;

  constructor(init: MemberInit) {
    this.memberId = init.memberId;
    this.groupInstanceId = init.groupInstanceId;
    this.clientId = init.clientId;
    this.clientHost = init.clientHost;
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs;
    this.sessionTimeoutMs = init.sessionTimeoutMs;
    this.protocolType = init.protocolType;
    this.protocols = init.protocols;
    this.assignment = init.assignment ?? EMPTY_ASSIGNMENT;
  }

  /** The same member under another id (static member replacement keeps everything else). */
  withMemberId(memberId: string): ClassicGroupMember {
    return new ClassicGroupMember({
      memberId,
      groupInstanceId: this.groupInstanceId,
      clientId: this.clientId,
      clientHost: this.clientHost,
      rebalanceTimeoutMs: this.rebalanceTimeoutMs,
      sessionTimeoutMs: this.sessionTimeoutMs,
      protocolType: this.protocolType,
      protocols: this.protocols,
      assignment: this.assignment,
    });
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.joinResolver !== null;
  }

  get isAwaitingSync(): boolean {
    return this.syncResolver !== null;
  }

  /** The metadata this member sent for a protocol (empty if it does not support it). */
  metadata(protocolName: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_ASSIGNMENT;
  }

  /** Same protocols, same order, same metadata bytes. */
  matches(protocols: JoinGroupProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => {
      const mine = this.protocols[i];
      return mine !== undefined && mine.name === p.name && mine.metadata.equals(p.metadata);
    });
  }

  /** The member's most preferred protocol among the candidates. */
  vote(candidates: ReadonlySet<string>): string {
    const choice = this.protocols.find((p) => candidates.has(p.name));
    if (choice === undefined)
      throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return choice.name;
  }

  /** Hands the join response over, if one is awaited. */
  completeJoin(result: JoinGroupResult): boolean {
    const resolve = this.joinResolver;
    if (resolve === null) return false;
    this.joinResolver = null;
    resolve(result);
    return true;
  }

  /** Hands the sync response over, if one is awaited. */
  completeSync(result: SyncGroupResult): boolean {
    const resolve = this.syncResolver;
    if (resolve === null) return false;
    this.syncResolver = null;
    resolve(result);
    return true;
  }
}
