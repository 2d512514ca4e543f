/**
 * Consumer lag: how far a group's committed offset is behind a partition's log end offset.
 * null when nothing is committed (Kafka's tools show "-"); never negative.
 */
export function lag(committed: bigint | null, logEnd: bigint): bigint | null {
  if (committed === null || committed < 0n) return null;
  const d = logEnd - committed;
  return d > 0n ? d : 0n;
}
