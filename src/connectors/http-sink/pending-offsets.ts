/**
 * Which offsets of each partition are still in the task's hands (batched, in flight, waiting for a
 * retry, being written to a retry topic) and so which offset is safe to commit: the lowest one not
 * yet finished. Records are registered in offset order as `put` receives them and finish in any
 * order; a partition with nothing pending commits what the runtime says was put.
 *
 * A registered record gets a slot (its partition's tracker and a sequence number), so finishing it
 * is an array write, not a hash lookup: this runs for every record.
 */
import { topicPartitionKey } from '../../connect/api/index.ts';

export class PartitionPending {
  #offsets: bigint[] = [];
  #done: boolean[] = [];
  /** Sequence number of #offsets[0]. */
  #base = 0;
  #head = 0;
  /** False once the partition was closed: late finishes are ignored. */
  live = true;

  /** Registers the next offset; returns its sequence number. */
  register(offset: bigint): number {
    this.#offsets.push(offset);
    this.#done.push(false);
    return this.#base + this.#offsets.length - 1;
  }

  finish(seq: number): void {
    const i = seq - this.#base;
    if (i >= 0 && i < this.#done.length) this.#done[i] = true;
  }

  /** The lowest unfinished offset, or undefined when everything is finished. */
  lowest(): bigint | undefined {
    const done = this.#done;
    let head = this.#head;
    while (head < done.length && done[head]) head++;
    this.#head = head;
    if (head === done.length) {
      this.#base += done.length;
      this.#offsets = [];
      this.#done = [];
      this.#head = 0;
      return undefined;
    }
    if (head > 4096 && head * 2 > done.length) {
      this.#offsets = this.#offsets.slice(head);
      this.#done = this.#done.slice(head);
      this.#base += head;
      this.#head = 0;
    }
    return this.#offsets[this.#head];
  }

  count(): number {
    let n = 0;
    for (let i = this.#head; i < this.#done.length; i++) if (!this.#done[i]) n++;
    return n;
  }
}

export class PendingOffsets {
  readonly #partitions = new Map<string, PartitionPending>();

  /** The partition's tracker (created on first use). */
  partition(topic: string, partition: number): PartitionPending {
    const key = topicPartitionKey(topic, partition);
    let p = this.#partitions.get(key);
    if (!p) this.#partitions.set(key, (p = new PartitionPending()));
    return p;
  }

  /** The offset to commit for the partition, or undefined when nothing of it is pending. */
  lowestPending(topic: string, partition: number): bigint | undefined {
    return this.#partitions.get(topicPartitionKey(topic, partition))?.lowest();
  }

  /** Records still pending, over all partitions. */
  count(): number {
    let n = 0;
    for (const p of this.#partitions.values()) n += p.count();
    return n;
  }

  /** Drops a partition (closed): its tracker stops counting late finishes. */
  forget(topic: string, partition: number): void {
    const key = topicPartitionKey(topic, partition);
    const p = this.#partitions.get(key);
    if (p) p.live = false;
    this.#partitions.delete(key);
  }
}
