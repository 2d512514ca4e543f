/**
 * The broker-wide account of memory held for responses that are not yet handed to the kernel:
 * answers encoded and queued behind a slow reader, and the records a Fetch has read for an answer
 * still being built (pooled read buffers, counted at their full size class). Bounded twice:
 * `queued.max.response.bytes` for the whole broker and `queued.max.response.bytes.per.connection`
 * for each connection's share. A connection at or over its share — or holding anything while the
 * broker is at its bound — stops being read (Connection.maybePause) until its writes drain, and a
 * Fetch reads no more than the budget left (`budget`), except that a connection holding nothing
 * still gets one batch so every consumer makes progress (KIP-74). A closed connection gives its
 * whole share back at once (`Connection` calls `release` with what it held).
 *
 * Not covered: request bytes (a frame being received is bounded per connection by
 * socket.request.max.bytes, and a paused connection is not read), and the ReadBufferPool's free
 * buffers (at most 128 MiB, read-buffers.ts), which count toward RSS but are not held for anyone.
 */

export interface ResponseMemoryStats {
  /** Bytes held now for unsent responses, broker-wide. */
  bytes: number;
  /** Highest `bytes` seen since the broker started (or since `resetPeak`). */
  peakBytes: number;
  /** Every byte ever counted (grows with each answer; shows work done for connections). */
  countedBytes: number;
  /** queued.max.response.bytes */
  limit: number;
  /** queued.max.response.bytes.per.connection */
  perConnection: number;
}

export class ResponseMemory {
  readonly limit: number;
  readonly perConnection: number;
  private held = 0;
  private peak = 0;
  private counted = 0;

  constructor(limit: number, perConnection: number) {
    this.limit = limit;
    this.perConnection = perConnection;
  }

  /** Bytes held now, broker-wide. */
  get bytes(): number {
    return this.held;
  }

  get stats(): ResponseMemoryStats {
    return {
      bytes: this.held,
      peakBytes: this.peak,
      countedBytes: this.counted,
      limit: this.limit,
      perConnection: this.perConnection,
    };
  }

  resetPeak(): void {
    this.peak = this.held;
  }

  hold(bytes: number): void {
    this.held += bytes;
    this.counted += bytes;
    if (this.held > this.peak) this.peak = this.held;
  }

  release(bytes: number): void {
    this.held -= bytes;
  }

  /** True when a connection holding `connectionBytes` must stop being read. */
  isOver(connectionBytes: number): boolean {
    return connectionBytes >= this.perConnection || (connectionBytes > 0 && this.held >= this.limit);
  }

  /** Bytes a response on a connection holding `connectionBytes` may still take (0 when none). */
  budget(connectionBytes: number): number {
    return Math.max(0, Math.min(this.perConnection - connectionBytes, this.limit - this.held));
  }
}
