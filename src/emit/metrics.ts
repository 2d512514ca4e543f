/**
 * The emitter's counters, kept in plain numbers (no locks, no allocation per event) and read
 * through `emitter.metrics()`. Delivery latency (emit → broker acknowledgement) is a histogram
 * with fixed millisecond buckets, ready for a Prometheus histogram. Not implemented here: exposing
 * them on the shared Prometheus registry (src/metrics wires that).
 */

/** Why an event was dropped. */
export type DropReason =
  | 'buffer-full' // drop-newest: the buffer had no room for it
  | 'evicted' // drop-oldest: pushed out by a newer event
  | 'rejected' // the broker refused it for good (not authorised, too large)
  | 'too-large' // bigger than maxEventBytes
  | 'closed' // emitted after close() began
  | 'shutdown' // still buffered when close()'s deadline passed (not with `spill`)
  | 'spool-error'; // the spool file could not be written

export const DROP_REASONS: readonly DropReason[] = [
  'buffer-full',
  'evicted',
  'rejected',
  'too-large',
  'closed',
  'shutdown',
  'spool-error',
];

/** Upper bounds (ms) of the delivery latency buckets; the last bucket is +Inf. */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
];

export interface EmitterMetrics {
  /** emit() calls that did not throw: each is then delivered, dropped, buffered or spooled. */
  emitted: number;
  /** Events the broker acknowledged. */
  delivered: number;
  /** Events dropped, in all and by reason. */
  dropped: number;
  droppedByReason: Record<DropReason, number>;
  /** Events written to the spool (each counted once, when spooled). */
  spooled: number;
  /** Events and bytes waiting in memory (including the batch in flight). */
  bufferedEvents: number;
  bufferBytes: number;
  /** Bytes in the spool not yet delivered. */
  spoolBytes: number;
  /** Send attempts that the broker answered with an error after the client's own retries. */
  sendErrors: number;
  deliveryLatency: {
    /** Cumulative counts per bucket of LATENCY_BUCKETS_MS, then +Inf (Prometheus style). */
    buckets: number[];
    count: number;
    sumMs: number;
  };
}

export class MetricsState {
  emitted = 0;
  delivered = 0;
  spooled = 0;
  sendErrors = 0;
  readonly dropped: Record<DropReason, number> = Object.fromEntries(
    DROP_REASONS.map((r) => [r, 0]),
  ) as Record<DropReason, number>;
  droppedTotal = 0;
  readonly #buckets = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  #latencyCount = 0;
  #latencySum = 0;

  drop(reason: DropReason, n = 1): void {
    this.dropped[reason] += n;
    this.droppedTotal += n;
  }

  /** Records `n` deliveries whose events were emitted at `emittedAt` (ms since the epoch). */
  delivery(latencyMs: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && latencyMs > LATENCY_BUCKETS_MS[i]!) i++;
    this.#buckets[i]!++;
    this.#latencyCount++;
    this.#latencySum += latencyMs;
  }

  snapshot(buffer: { events: number; bytes: number }, spoolBytes: number): EmitterMetrics {
    const cumulative: number[] = [];
    let acc = 0;
    for (const b of this.#buckets) cumulative.push((acc += b));
    return {
      emitted: this.emitted,
      delivered: this.delivered,
      dropped: this.droppedTotal,
      droppedByReason: { ...this.dropped },
      spooled: this.spooled,
      bufferedEvents: buffer.events,
      bufferBytes: buffer.bytes,
      spoolBytes,
      sendErrors: this.sendErrors,
      deliveryLatency: { buckets: cumulative, count: this.#latencyCount, sumMs: this.#latencySum },
    };
  }
}
