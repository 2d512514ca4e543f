/**
 * Where `consumer-groups:reset-offsets` moves each partition: to the earliest or latest offset, to
 * the first offset at a time, to a given offset, or shifted by N from the committed one. Targets are
 * clamped into the partition's current range [earliest, latest].
 */

export type ResetMode =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'time'; ms: number }
  | { kind: 'offset'; offset: bigint }
  | { kind: 'shift'; by: bigint };

export interface PartitionState {
  topic: string;
  partition: number;
  /** Committed offset, or null when the group has none for this partition. */
  current: bigint | null;
  earliest: bigint;
  latest: bigint;
  /** First offset at or after the requested time (mode 'time'), -1 when none. */
  atTime?: bigint;
}

export interface PlannedReset {
  topic: string;
  partition: number;
  current: bigint | null;
  /** Null when the partition is left alone (shift with nothing committed). */
  target: bigint | null;
  logEnd: bigint;
}

function clamp(value: bigint, low: bigint, high: bigint): bigint {
  return value < low ? low : value > high ? high : value;
}

export function targetOffset(state: PartitionState, mode: ResetMode): bigint | null {
  switch (mode.kind) {
    case 'earliest':
      return state.earliest;
    case 'latest':
      return state.latest;
    case 'time':
      return state.atTime !== undefined && state.atTime >= 0n
        ? clamp(state.atTime, state.earliest, state.latest)
        : state.latest;
    case 'offset':
      return clamp(mode.offset, state.earliest, state.latest);
    case 'shift':
      return state.current === null ? null : clamp(state.current + mode.by, state.earliest, state.latest);
  }
}

export function planReset(states: readonly PartitionState[], mode: ResetMode): PlannedReset[] {
  return states.map((s) => ({
    topic: s.topic,
    partition: s.partition,
    current: s.current,
    target: targetOffset(s, mode),
    logEnd: s.latest,
  }));
}

/** Lag the group would have after the reset (partitions left alone keep their current lag). */
export function lagAfter(plan: readonly PlannedReset[]): bigint {
  return plan.reduce((sum, p) => {
    const at = p.target ?? p.current;
    return at === null ? sum : sum + (p.logEnd - at);
  }, 0n);
}
