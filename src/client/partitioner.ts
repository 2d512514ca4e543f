/**
 * Kafka's default partitioning of keyed records: murmur2 of the serialized key, made positive,
 * modulo the partition count (`Utils.toPositive(Utils.murmur2(key)) % numPartitions`), so records
 * written here land where a Java or librdkafka (murmur2_random) producer would put them. Every
 * producer Samsa creates uses it (streams, Connect, the proxy, the emitter, the CLI), with 32-bit
 * integer arithmetic (the client library's own murmur2 works on BigInts, ~30 times slower on a
 * 200-byte key, and its default partitioner makes the hash unsigned instead of positive, which
 * puts about half the keys in a different partition than Java does).
 */

/** murmur2 of `data` (of its bytes `start`..`end` when given). */
export function murmur2(data: Buffer, start = 0, end = data.length): number {
  const length = end - start;
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  let h = (seed ^ length) | 0;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = start + (i << 2);
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const rest = length & 3;
  const base = start + (length & ~3);
  if (rest === 3) h ^= data[base + 2]! << 16;
  if (rest >= 2) h ^= data[base + 1]! << 8;
  if (rest >= 1) {
    h ^= data[base]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

export function partitionForKey(key: Buffer, numPartitions: number): number {
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}

/** Where ASCII text is put to be hashed (no Buffer made per key). */
const scratch = Buffer.allocUnsafe(256);

/** murmur2 of the UTF-8 bytes of `text`; ASCII text (the usual key) is hashed without a Buffer of its own. */
export function murmur2Text(text: string): number {
  const n = text.length;
  if (n <= scratch.length) {
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      scratch[i] = c;
    }
    if (i === n) return murmur2(scratch, 0, n);
  }
  return murmur2(Buffer.from(text, 'utf8'));
}

/** `partitionForKey` of the UTF-8 bytes of a key given as text. */
export function partitionForTextKey(key: string, numPartitions: number): number {
  return (murmur2Text(key) & 0x7fffffff) % numPartitions;
}

/**
 * A partitioner for @platformatic/kafka producers: Java's for keyed records (the client takes the
 * result modulo the partition count), round-robin for records without a key.
 */
export function javaPartitioner(): (message: unknown, key: Buffer | undefined) => number {
  let next = 0;
  return (_message, key) =>
    key === undefined || key === null ? next++ & 0x7fffffff : murmur2(key) & 0x7fffffff;
}
