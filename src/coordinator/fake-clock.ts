/**
 * FakeClock: a manual clock for tests. Time moves only on `advance(ms)`, which fires every timer
 * that falls due on the way, in due-time order (ties in scheduling order), including timers that
 * fired callbacks schedule within the advanced window.
 */
import type { Clock, TimerHandle } from './clock.ts';

interface FakeTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }

  /** Number of timers not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by ms, firing due timers one at a time in order. */
  advance(ms: number): void {
    const target = this.time + Math.max(0, ms);
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.timers.values()) {
        if (
          t.due <= target &&
          (next === undefined || t.due < next.due || (t.due === next.due && t.id < next.id))
        ) {
          next = t;
        }
      }
      if (next === undefined) break;
      this.timers.delete(next.id);
      this.time = Math.max(this.time, next.due);
      next.fn();
    }
    this.time = target;
  }
}
