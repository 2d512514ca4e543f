/**
 * Where a record without an explicit partition goes: Java's default partitioner for keyed records
 * (murmur2 of the key bytes, positive, modulo the partition count), round-robin per topic for
 * records without a key. The proxy assigns every partition itself so it can report each record's
 * partition and offset.
 */
import { murmur2 } from '../client/partitioner.ts';

export class Partitioner {
  readonly #next = new Map<string, number>();

  partition(topic: string, key: Buffer | null, count: number): number {
    if (key !== null) return (murmur2(key) & 0x7fffffff) % count;
    const n = this.#next.get(topic) ?? 0;
    this.#next.set(topic, n + 1);
    return n % count;
  }
}
