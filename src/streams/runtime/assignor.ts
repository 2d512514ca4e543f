/**
 * The streams assignor, run by the group leader: turns sub-topologies and partition counts into
 * tasks (`<subtopology>_<partition>`, each with that partition of every source topic of the
 * sub-topology) and spreads them over the instances — balanced (counts differ by at most one),
 * sticky (a task stays where it ran, where its state is), then filling up the least loaded. The
 * assignment's user data carries each instance's tasks and the `application.server` host map that
 * interactive queries use to find which instance holds a key. Subscription and assignment user
 * data are JSON (version 1).
 */

export interface SubscriptionInfo {
  version: 1;
  processId: string;
  /** application.server (host:port) or null. */
  endpoint: string | null;
  /** Tasks this instance ran before the rebalance. */
  prevTasks: string[];
  /** Tasks whose state exists in this instance's state directory. */
  stateTasks: string[];
}

export interface AssignmentInfo {
  version: 1;
  /** Set by the leader when the assignment cannot be made (e.g. topics not co-partitioned). */
  error: string | null;
  activeTasks: string[];
  /** endpoint → tasks it runs (for interactive queries). */
  tasksByHost: { [endpoint: string]: string[] };
  /** endpoint → topic partitions it consumes. */
  partitionsByHost: { [endpoint: string]: string[] };
}

export function encodeJson(value: SubscriptionInfo | AssignmentInfo): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function decodeSubscription(data: Buffer | null | undefined): SubscriptionInfo | null {
  try {
    const v = JSON.parse((data ?? Buffer.alloc(0)).toString('utf8')) as SubscriptionInfo;
    return v && v.version === 1 ? v : null;
  } catch {
    return null;
  }
}

export function decodeAssignment(data: Buffer | null | undefined): AssignmentInfo | null {
  try {
    const v = JSON.parse((data ?? Buffer.alloc(0)).toString('utf8')) as AssignmentInfo;
    return v && v.version === 1 ? v : null;
  } catch {
    return null;
  }
}

export interface AssignorInput {
  /** sub-topology id → resolved source topics. */
  subtopologies: { id: number; sourceTopics: string[] }[];
  partitionCounts: Map<string, number>;
  members: { memberId: string; info: SubscriptionInfo }[];
}

export interface MemberAssignment {
  tasks: string[];
  partitions: { topic: string; partition: number }[];
}

export function taskPartitions(
  task: string,
  subtopologies: AssignorInput['subtopologies'],
): { topic: string; partition: number }[] {
  const [s, p] = task.split('_').map(Number) as [number, number];
  const st = subtopologies.find((x) => x.id === s);
  return (st?.sourceTopics ?? []).map((topic) => ({ topic, partition: p }));
}

/** Computes every member's tasks; throws when source topics of a sub-topology are not co-partitioned. */
export function assignTasks(input: AssignorInput): Map<string, MemberAssignment> {
  const tasks: string[] = [];
  for (const st of input.subtopologies) {
    const counts = st.sourceTopics.map((t) => {
      const n = input.partitionCounts.get(t);
      if (n === undefined) throw new Error(`source topic ${t} does not exist`);
      return n;
    });
    const distinct = new Set(counts);
    if (distinct.size > 1)
      throw new Error(
        `topics not co-partitioned: ${st.sourceTopics.map((t, i) => `${t} (${counts[i]})`).join(', ')} are read by the same sub-topology and must have the same number of partitions`,
      );
    for (let p = 0; p < (counts[0] ?? 0); p++) tasks.push(`${st.id}_${p}`);
  }
  // interleave by partition so each instance gets a mix of sub-topologies
  tasks.sort((a, b) => {
    const [sa, pa] = a.split('_').map(Number) as [number, number];
    const [sb, pb] = b.split('_').map(Number) as [number, number];
    return pa - pb || sa - sb;
  });
  const members = [...input.members].sort((a, b) =>
    a.info.processId < b.info.processId
      ? -1
      : a.info.processId > b.info.processId
        ? 1
        : a.memberId < b.memberId
          ? -1
          : 1,
  );
  const owned = new Map<string, string[]>(members.map((m) => [m.memberId, []]));
  if (members.length === 0) return new Map();
  const max = Math.ceil(tasks.length / members.length);
  const taskSet = new Set(tasks);
  const assigned = new Set<string>();
  // 1. sticky: previous owner keeps the task (up to the balanced maximum); then state holders
  for (const pass of ['prevTasks', 'stateTasks'] as const) {
    for (const m of members) {
      for (const t of m.info[pass] ?? []) {
        const list = owned.get(m.memberId)!;
        if (taskSet.has(t) && !assigned.has(t) && list.length < max) {
          list.push(t);
          assigned.add(t);
        }
      }
    }
  }
  // 2. the rest to the least loaded
  for (const t of tasks) {
    if (assigned.has(t)) continue;
    let best = members[0]!.memberId;
    for (const m of members) if (owned.get(m.memberId)!.length < owned.get(best)!.length) best = m.memberId;
    owned.get(best)!.push(t);
    assigned.add(t);
  }
  // 3. balance: move tasks until counts differ by at most one
  for (;;) {
    let most = members[0]!.memberId;
    let least = members[0]!.memberId;
    for (const m of members) {
      if (owned.get(m.memberId)!.length > owned.get(most)!.length) most = m.memberId;
      if (owned.get(m.memberId)!.length < owned.get(least)!.length) least = m.memberId;
    }
    if (owned.get(most)!.length - owned.get(least)!.length <= 1) break;
    owned.get(least)!.push(owned.get(most)!.pop()!);
  }
  const out = new Map<string, MemberAssignment>();
  for (const m of members) {
    const list = owned.get(m.memberId)!.sort();
    out.set(m.memberId, {
      tasks: list,
      partitions: list.flatMap((t) => taskPartitions(t, input.subtopologies)),
    });
  }
  return out;
}
