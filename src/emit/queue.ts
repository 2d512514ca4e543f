/** A FIFO of records with O(1) push and shift (a growable ring), counting its bytes. */
import type { QueuedRecord } from './record.ts';

export class RecordQueue {
  #items: (QueuedRecord | undefined)[] = new Array(1024);
  #head = 0;
  #length = 0;
  bytes = 0;

  get length(): number {
    return this.#length;
  }

  push(r: QueuedRecord): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) % this.#items.length] = r;
    this.#length++;
    this.bytes += r.size;
  }

  shift(): QueuedRecord | undefined {
    if (this.#length === 0) return undefined;
    const r = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#length--;
    this.bytes -= r!.size;
    return r;
  }

  peek(): QueuedRecord | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** Removes and returns up to `maxRecords` records / `maxBytes` bytes (at least one record). */
  take(maxRecords: number, maxBytes: number): QueuedRecord[] {
    const out: QueuedRecord[] = [];
    let bytes = 0;
    while (this.#length > 0 && out.length < maxRecords) {
      const next = this.peek()!;
      if (out.length > 0 && bytes + next.size > maxBytes) break;
      bytes += next.size;
      out.push(this.shift()!);
    }
    return out;
  }

  #grow(): void {
    const next = new Array<QueuedRecord | undefined>(this.#items.length * 2);
    for (let i = 0; i < this.#length; i++) next[i] = this.#items[(this.#head + i) % this.#items.length];
    this.#items = next;
    this.#head = 0;
  }
}
