/**
 * Which __consumer_offsets partition holds a group: Kafka's abs(groupId.hashCode()) % partitions,
 * with Java's String.hashCode over UTF-16 code units and Utils.abs (MIN_VALUE maps to 0).
 */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

export function offsetsPartitionFor(groupId: string, partitionCount: number): number {
  const h = javaStringHashCode(groupId);
  const abs = h === -2147483648 ? 0 : Math.abs(h);
  return abs % partitionCount;
}
