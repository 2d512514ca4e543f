/**
 * KeyedTimers: named one-shot timers over a Clock. Scheduling a key that is already pending
 * replaces it (the way Kafka's coordinator timer keys heartbeats, joins and syncs).
 */
import type { Clock, TimerHandle } from './clock.ts';

export class KeyedTimers {
  private readonly clock: Clock;
  private readonly handles = new Map<string, TimerHandle>();

  constructor(clock: Clock) {
    this.clock = clock;
  }

  schedule(key: string, ms: number, fn: () => void): void {
    this.cancel(key);
    const handle = this.clock.setTimeout(() => {
      if (this.handles.get(key) !== handle) return;
      this.handles.delete(key);
      fn();
    }, ms);
    this.handles.set(key, handle);
  }

  cancel(key: string): void {
    const handle = this.handles.get(key);
    if (handle === undefined) return;
    this.handles.delete(key);
    this.clock.clearTimeout(handle);
  }

  has(key: string): boolean {
    return this.handles.has(key);
  }

  cancelAll(): void {
    for (const handle of this.handles.values()) this.clock.clearTimeout(handle);
    this.handles.clear();
  }
}

export const heartbeatKey = (groupId: string, memberId: string): string =>
  JSON.stringify(['heartbeat', groupId, memberId]);
export const joinKey = (groupId: string): string => JSON.stringify(['join', groupId]);
export const syncKey = (groupId: string): string => JSON.stringify(['sync', groupId]);
