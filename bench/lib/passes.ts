/**
 * Repeated consume passes. A fast system reads the few million records its produce phase left in
 * 0.1-0.2 s, a window in which one scheduling hiccup moves the figure by 2x (RabbitMQ Streams
 * ranged 9.8-18.8 M/s over five runs). A consume shorter than the minimum is repeated from the
 * start until the passes add up to it; records and time are summed over all passes.
 */
export interface ConsumePass {
  records: number;
  payloadBytes: number;
  seconds: number;
  error?: string | undefined;
}

export async function repeatPasses(
  minMs: number,
  maxPasses: number,
  pass: () => Promise<ConsumePass>,
): Promise<ConsumePass & { passes: number }> {
  const total = { records: 0, payloadBytes: 0, seconds: 0, passes: 0 };
  let error: string | undefined;
  do {
    const r = await pass();
    total.records += r.records;
    total.payloadBytes += r.payloadBytes;
    total.seconds += r.seconds;
    total.passes++;
    error = r.error;
  } while (!error && total.seconds * 1000 < minMs && total.passes < maxPasses);
  return error ? { ...total, error } : total;
}

/** Minimum consume window: 1 s in full mode, 300 ms in quick mode. */
export function minConsumeMs(quick: boolean): number {
  return quick ? 300 : 1000;
}
