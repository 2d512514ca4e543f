/** Shared by the peer suites: the workload names (same as Samsa's) and the value used. */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type Emit = (r: import('../lib/result.ts').BenchResult) => void;

/** First `name` found on PATH, or null. */
export function which(name: string, extra: readonly string[] = []): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extra]) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

/** A value of `size` bytes; when stamped, the first 8 bytes carry performance.now(). */
export function payload(size: number, stampNow = false): Buffer {
  const b = Buffer.alloc(size, 0x61);
  if (stampNow) b.writeDoubleBE(performance.now(), 0);
  return b;
}

/** Runs `fn` at `rate` calls per second in 1 ms ticks for `ms`, passing how many are due. */
export async function paced(rate: number, ms: number, fn: (due: number) => void): Promise<number> {
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < ms) {
    const due = Math.floor(((performance.now() - start) * rate) / 1000) - sent;
    if (due > 0) {
      fn(due);
      sent += due;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  return sent;
}
