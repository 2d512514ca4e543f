/**
 * Group coordinator settings, named after the Kafka broker configs they mirror, with Kafka's
 * defaults. Everything is in milliseconds or bytes.
 */
export interface GroupCoordinatorConfig {
  /** group.min.session.timeout.ms */
  groupMinSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  groupMaxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms: extra wait for members when a rebalance starts from Empty. */
  groupInitialRebalanceDelayMs: number;
  /** group.max.size */
  groupMaxSize: number;
  /** How long a new member's JoinGroup may wait in a rebalance before it is dropped (Kafka: 5 min). */
  newMemberJoinTimeoutMs: number;
  /** offsets.retention.minutes, in ms. */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes (Kafka compares the metadata string's length). */
  offsetMetadataMaxBytes: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: Readonly<GroupCoordinatorConfig> = Object.freeze({
  groupMinSessionTimeoutMs: 6_000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupInitialRebalanceDelayMs: 3_000,
  groupMaxSize: 2_147_483_647,
  newMemberJoinTimeoutMs: 300_000,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
});

export function resolveConfig(overrides: Partial<GroupCoordinatorConfig> = {}): GroupCoordinatorConfig {
  return { ...DEFAULT_GROUP_COORDINATOR_CONFIG, ...overrides };
}
