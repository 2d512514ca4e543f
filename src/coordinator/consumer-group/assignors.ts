/**
 * The server-side assignors of the consumer group protocol (KIP-848), by Kafka's names: `uniform`
 * spreads every subscribed partition evenly over the members subscribed to its topic, keeping each
 * member's current partitions where the balance allows (sticky); `range` gives each member a
 * contiguous range of every topic it subscribes to, members in id order, as the classic
 * RangeAssignor. Pure functions of the members' subscriptions and current target assignment.
 * Not implemented: rack-aware placement.
 */

export interface AssignorMember {
  memberId: string;
  /** Topic ids the member subscribes to (resolved from names or the regex). */
  topics: ReadonlySet<string>;
  /** The member's current target: topic id → partitions. */
  current: ReadonlyMap<string, readonly number[]>;
}

export interface AssignorTopic {
  topicId: string;
  partitionCount: number;
}

export type Assignment = Map<string, Map<string, number[]>>;

export const ASSIGNORS = ['uniform', 'range'] as const;
export type AssignorName = (typeof ASSIGNORS)[number];

function empty(members: readonly AssignorMember[]): Assignment {
  return new Map(members.map((m) => [m.memberId, new Map<string, number[]>()]));
}

function add(a: Assignment, memberId: string, topicId: string, partition: number): void {
  const m = a.get(memberId)!;
  const list = m.get(topicId);
  if (list) list.push(partition);
  else m.set(topicId, [partition]);
}

export function rangeAssign(
  members: readonly AssignorMember[],
  topics: readonly AssignorTopic[],
): Assignment {
  const out = empty(members);
  for (const t of topics) {
    const subs = members
      .filter((m) => m.topics.has(t.topicId))
      .sort((a, b) => a.memberId.localeCompare(b.memberId));
    if (subs.length === 0) continue;
    const per = Math.floor(t.partitionCount / subs.length);
    const extra = t.partitionCount % subs.length;
    let p = 0;
    subs.forEach((m, i) => {
      const n = per + (i < extra ? 1 : 0);
      for (let k = 0; k < n; k++) add(out, m.memberId, t.topicId, p++);
    });
  }
  return out;
}

export function uniformAssign(
  members: readonly AssignorMember[],
  topics: readonly AssignorTopic[],
): Assignment {
  const out = empty(members);
  const counts = new Map(members.map((m) => [m.memberId, 0]));
  // Partitions each member may receive, grouped by the set of members that subscribe to a topic.
  for (const t of topics) {
    const subs = members.filter((m) => m.topics.has(t.topicId));
    if (subs.length === 0) continue;
    const taken = new Set<number>();
    // Each member keeps up to its fair share of this topic: floor for all, one more for as many
    // members as the remainder allows.
    const floor = Math.floor(t.partitionCount / subs.length);
    let extra = t.partitionCount % subs.length;
    const keep = (m: AssignorMember, limit: number): void => {
      for (const p of m.current.get(t.topicId) ?? []) {
        if ((out.get(m.memberId)!.get(t.topicId)?.length ?? 0) >= limit) break;
        if (p >= t.partitionCount || taken.has(p)) continue;
        taken.add(p);
        add(out, m.memberId, t.topicId, p);
        counts.set(m.memberId, counts.get(m.memberId)! + 1);
      }
    };
    for (const m of subs) keep(m, floor);
    for (const m of subs) {
      if (extra === 0) break;
      const before = out.get(m.memberId)!.get(t.topicId)?.length ?? 0;
      keep(m, floor + 1);
      if ((out.get(m.memberId)!.get(t.topicId)?.length ?? 0) > before) extra--;
    }
    for (let p = 0; p < t.partitionCount; p++) {
      if (taken.has(p)) continue;
      taken.add(p);
      // The subscribed member with the fewest partitions overall, then the fewest of this topic.
      let best: AssignorMember | undefined;
      for (const m of subs) {
        if (!best) {
          best = m;
          continue;
        }
        const here = (x: AssignorMember) => out.get(x.memberId)!.get(t.topicId)?.length ?? 0;
        const a = [here(m), counts.get(m.memberId)!, m.memberId] as const;
        const b = [here(best), counts.get(best.memberId)!, best.memberId] as const;
        if (a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])))) best = m;
      }
      add(out, best!.memberId, t.topicId, p);
      counts.set(best!.memberId, counts.get(best!.memberId)! + 1);
    }
  }
  for (const m of out.values()) for (const list of m.values()) list.sort((a, b) => a - b);
  return out;
}

export function assign(
  name: AssignorName,
  members: readonly AssignorMember[],
  topics: readonly AssignorTopic[],
): Assignment {
  return name === 'range' ? rangeAssign(members, topics) : uniformAssign(members, topics);
}
