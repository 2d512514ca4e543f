/**
 * How long each piece of work holds the event loop, by kind, with async_hooks: every top-level
 * callback (socket read, timer, immediate, promise reaction, nextTick) is timed between its
 * `before` and `after`; callbacks that follow each other with less than 50 µs between them form one
 * "run" (what a request arriving meanwhile waits for), labelled by the kind of its first callback:
 *
 *   http     the HTTP parser or a read on a socket the app's server accepted (a request)
 *   kafka    a read on any other socket (the emitter's broker connections: acknowledgements)
 *   timer    a setTimeout callback (the emitter's linger timer: batch building and send)
 *   immediate, promise (a promise reaction on its own), tick, other
 *   bench    a timer whose callback is named `benchTick` (a benchmark's own pacing)
 *
 * The report gives, per label, runs per second, loop milliseconds per second, and the p50/p99/max
 * of the runs' lengths in microseconds, by the clock and by the main thread's CPU time (on a shared
 * machine the clock also counts the time other processes had the CPU). Enabling async_hooks with promise tracking costs CPU in
 * every callback, so this is a diagnostic mode, not the latency measurement.
 */
import { createHook } from 'node:async_hooks';
import { LatencySamples } from '../lib/percentiles.ts';

type Label = 'http' | 'kafka' | 'timer' | 'immediate' | 'promise' | 'tick' | 'other' | 'bench';
const LABELS: Label[] = ['http', 'kafka', 'timer', 'immediate', 'promise', 'tick', 'other', 'bench'];

/** A timer whose callback has this name is the benchmark's own (labelled `bench`). */
export const BENCH_TIMER_NAME = 'benchTick';
const GAP_MS = 0.05;

export interface SliceStats {
  runsPerS: number;
  msPerS: number;
  p50Us: number | null;
  p99Us: number | null;
  maxUs: number | null;
  /** The same from the thread's CPU time (what the run cost, without preemption by others). */
  cpuP50Us: number | null;
  cpuP99Us: number | null;
  cpuMaxUs: number | null;
}

function threadCpuUs(): number {
  const u = process.threadCpuUsage();
  return u.user + u.system;
}

export class LoopSlices {
  readonly #kind = new Map<number, Label>();
  readonly #runs = new Map<Label, LatencySamples>();
  readonly #total = new Map<Label, number>();
  readonly #cpu = new Map<Label, LatencySamples>();
  #serverIds = new Set<number>();
  #depth = 0;
  #sliceStart = 0;
  #runStart = -1;
  #runEnd = 0;
  #runLabel: Label = 'other';
  #pending: Label = 'other';
  #runCpuStart = 0;

  constructor() {
    for (const l of LABELS) {
      this.#runs.set(l, new LatencySamples(1_000_000));
      this.#cpu.set(l, new LatencySamples(1_000_000));
      this.#total.set(l, 0);
    }
    createHook({
      init: (id, type, trigger, resource) => {
        let label: Label;
        if (type === 'TCPSERVERWRAP') {
          this.#serverIds.add(id);
          return;
        }
        // Promises are the most numerous and the default label: not stored (cheaper).
        if (type === 'PROMISE') return;
        if (type === 'TCPWRAP') label = this.#serverIds.has(trigger) ? 'http' : 'kafka';
        else if (type === 'HTTPINCOMINGMESSAGE') label = 'http';
        else if (type === 'Timeout')
          label =
            (resource as { _onTimeout?: { name?: string } })._onTimeout?.name === BENCH_TIMER_NAME
              ? 'bench'
              : 'timer';
        else if (type === 'Immediate') label = 'immediate';
        else if (type === 'TickObject') label = 'tick';
        else label = 'other';
        this.#kind.set(id, label);
      },
      destroy: (id) => {
        this.#kind.delete(id);
      },
      promiseResolve: () => {},
      before: (id) => {
        if (this.#depth++ > 0) return;
        const now = performance.now();
        this.#sliceStart = now;
        this.#pending = this.#kind.get(id) ?? 'promise';
        if (this.#runStart >= 0 && now - this.#runEnd < GAP_MS) return;
        // A new run: the thread's CPU time since the last one started is that run's.
        const cpu = threadCpuUs();
        this.#closeRun(cpu);
        this.#runStart = now;
        this.#runEnd = now;
        this.#runCpuStart = cpu;
        this.#runLabel = this.#pending;
      },
      after: () => {
        if (--this.#depth > 0) return;
        const end = performance.now();
        const label = this.#pending;
        this.#total.set(label, this.#total.get(label)! + (end - this.#sliceStart));
        this.#runEnd = end;
      },
    }).enable();
  }

  #closeRun(cpuNow: number): void {
    if (this.#runStart < 0) return;
    this.#runs.get(this.#runLabel)!.add((this.#runEnd - this.#runStart) * 1000);
    this.#cpu.get(this.#runLabel)!.add(cpuNow - this.#runCpuStart);
  }

  reset(): void {
    for (const l of LABELS) {
      this.#runs.get(l)!.count = 0;
      this.#cpu.get(l)!.count = 0;
      this.#total.set(l, 0);
    }
    this.#runStart = -1;
  }

  report(seconds: number): Record<string, SliceStats> {
    this.#closeRun(threadCpuUs());
    this.#runStart = -1;
    const out: Record<string, SliceStats> = {};
    for (const l of LABELS) {
      const s = this.#runs.get(l)!;
      if (s.count === 0) continue;
      const [p50, p99, max] = s.percentiles([50, 99, 100]);
      const [c50, c99, cmax] = this.#cpu.get(l)!.percentiles([50, 99, 100]);
      const r = (x: number | null | undefined): number | null => (x == null ? null : Math.round(x));
      out[l] = {
        runsPerS: Math.round(s.count / seconds),
        msPerS: Math.round((this.#total.get(l)! / seconds) * 100) / 100,
        p50Us: r(p50),
        p99Us: r(p99),
        maxUs: r(max),
        cpuP50Us: r(c50),
        cpuP99Us: r(c99),
        cpuMaxUs: r(cmax),
      };
    }
    return out;
  }
}
