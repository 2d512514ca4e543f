/**
 * Which offsets of each partition are still in the task's hands (batched, in flight, waiting for a
 * retry, being written to a retry topic) and so which offset is safe to commit: the lowest one not
 * yet finished. Records are registered in offset order as `put` receives them and finish in any
 * order; a partition with nothing pending commits what the runtime says was put.
 */
import { topicPartitionKey } from '../../connect/api/index.ts';

class PartitionPending {
  queue: bigint[] = [];
  head = 0;
  readonly done = new Set<bigint>();

  /** The lowest unfinished offset, or undefined when everything is finished. */
  lowest(): bigint | undefined {
    while (this.head < this.queue.length && this.done.has(this.queue[this.head]!)) {
      this.done.delete(this.queue[this.head]!);
      this.head++;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      return undefined;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return this.queue[this.head];
  }
}

export class PendingOffsets {
  readonly #partitions = new Map<string, PartitionPending>();

  register(topic: string, partition: number, offset: bigint): void {
    const key = topicPartitionKey(topic, partition);
    let p = this.#partitions.get(key);
    if (!p) this.#partitions.set(key, (p = new PartitionPending()));
    p.queue.push(offset);
  }

  finish(topic: string, partition: number, offset: bigint): void {
    this.#partitions.get(topicPartitionKey(topic, partition))?.done.add(offset);
  }

  /** The offset to commit for the partition, or undefined when nothing of it is pending. */
  lowestPending(topic: string, partition: number): bigint | undefined {
    return this.#partitions.get(topicPartitionKey(topic, partition))?.lowest();
  }

  /** Records still pending, over all partitions. */
  count(): number {
    let n = 0;
    for (const p of this.#partitions.values()) {
      p.lowest();
      n += p.queue.length - p.head - p.done.size;
    }
    return n;
  }

  forget(topic: string, partition: number): void {
    this.#partitions.delete(topicPartitionKey(topic, partition));
  }
}
