/**
 * ProducerIdManager: hands out producer ids that never repeat, also across restarts. Ids come in
 * blocks; the end of the current block is persisted (through `BlockStore`) before any id of it is
 * used, so after a crash the next block starts past everything that may have been handed out.
 */
export interface BlockStore {
  /** The first id not yet reserved (0 when nothing was ever reserved). */
  load(): number;
  /** Durably records that ids below `next` are reserved. */
  save(next: number): void;
}

export const PRODUCER_ID_BLOCK_SIZE = 1000;

export class ProducerIdManager {
  private readonly store: BlockStore;
  private next: number;
  private blockEnd: number;

  constructor(store: BlockStore) {
    this.store = store;
    this.next = store.load();
    this.blockEnd = this.next;
  }

  /** A fresh producer id. */
  nextId(): number {
    if (this.next >= this.blockEnd) {
      this.blockEnd = this.next + PRODUCER_ID_BLOCK_SIZE;
      this.store.save(this.blockEnd);
    }
    return this.next++;
  }
}

/** In-memory store for tests. */
export class MemoryBlockStore implements BlockStore {
  value = 0;
  load(): number {
    return this.value;
  }
  save(next: number): void {
    this.value = next;
  }
}
