/**
 * Shared by the record sets (runs) of one fetch response waiting in the tasks' queues: when the
 * last of them is used up and no view of the response's bytes was handed out (to a processor,
 * a deserializer that may keep it, a queued record object, the deserialization handler), the
 * response's buffer goes back to the fetcher for a later response (`RawFetcher.release`). A run
 * dropped any other way (a task closed, buffers cleared) never gives it back: the buffer is then
 * left to the garbage collector, as before.
 */
export class ResponseLease {
  /** Runs not used up yet, plus one held by whoever hands the runs out until all are. */
  private holds = 1;
  /** A view of the bytes may be kept somewhere: never given back. */
  escaped = false;
  private readonly release: () => void;

  constructor(release: () => void) {
    this.release = release;
  }

  hold(): void {
    this.holds++;
  }

  drop(): void {
    this.holds--;
    if (this.holds === 0 && !this.escaped) this.release();
  }
}
