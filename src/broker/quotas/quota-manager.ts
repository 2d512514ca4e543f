/**
 * Quota enforcement, as Kafka's ClientQuotaManager family: usage is recorded per quota entity (the
 * user and/or client id the applicable quota is shared by, quota-store.ts) in a windowed rate
 * (`quota.window.num` windows of `quota.window.size.seconds`), and a client above its quota gets a
 * throttle time long enough to bring the rate back down. Produce bytes (`producer_byte_rate`),
 * fetch response bytes (`consumer_byte_rate`), request handling time as a percentage of one thread
 * (`request_percentage`), partitions created or deleted (`controller_mutation_rate`) and new
 * connections per address (`connection_creation_rate`). With no quota set for a key its checks
 * cost one map lookup. Rates not used for an hour are dropped. Request time counts the handler's
 * synchronous work and response encoding (Node has one request thread, so 100 = all of it).
 */
import { type ClientQuotaKey, type QuotaStore, quotaUser } from './quota-store.ts';
import { throttleTimeMs, WindowedRate } from './rate.ts';

export interface QuotaWindows {
  /** quota.window.num */
  numWindows: number;
  /** quota.window.size.seconds, in ms */
  windowMs: number;
}

interface Sensor {
  rate: WindowedRate;
  lastUsed: number;
}

const SENSOR_IDLE_MS = 60 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 1000;

export class QuotaManager {
  readonly store: QuotaStore;
  private readonly windows: QuotaWindows;
  private readonly now: () => number;
  private readonly sensors = new Map<string, Sensor>();
  /** Resolved quotas by key, user and client id, for the store version they were resolved at. */
  private readonly resolved = new Map<string, { quota: number; sensorId: string } | null>();
  private resolvedVersion = -1;
  private lastSweep: number;

  constructor(store: QuotaStore, windows: QuotaWindows, now: () => number = Date.now) {
    this.store = store;
    this.windows = windows;
    this.now = now;
    this.lastSweep = now();
  }

  /** Whether a quota is set for `key` anywhere (a cheap check before measuring anything). */
  enabled(key: ClientQuotaKey): boolean {
    return this.store.has(key);
  }

  /**
   * Records `value` against the client's quota for `key` and returns how long it must be throttled
   * (0 when within its quota or when no quota applies).
   */
  record(key: ClientQuotaKey, principal: string, clientId: string | null, value: number): number {
    if (!this.store.has(key)) return 0;
    const resolved = this.resolve(key, principal, clientId ?? '');
    if (!resolved) return 0;
    const now = this.now();
    const sensor = this.sensor(resolved.sensorId, now);
    sensor.rate.record(value, now);
    return throttleTimeMs(sensor.rate, resolved.quota, now);
  }

  private resolve(key: ClientQuotaKey, principal: string, clientId: string) {
    if (this.resolvedVersion !== this.store.version || this.resolved.size > 10_000) {
      this.resolved.clear();
      this.resolvedVersion = this.store.version;
    }
    const cacheKey = `${key}\u0000${principal}\u0000${clientId}`;
    let r = this.resolved.get(cacheKey);
    if (r === undefined) {
      const found = this.store.resolve(key, quotaUser(principal), clientId);
      r = found ? { quota: found.quota, sensorId: `${key}\u0000${found.user}\u0000${found.clientId}` } : null;
      this.resolved.set(cacheKey, r);
    }
    return r;
  }

  /** Takes back a recorded value (a throttled Fetch answered without its records, as Kafka does). */
  unrecord(key: ClientQuotaKey, principal: string, clientId: string | null, value: number): void {
    this.record(key, principal, clientId, -value);
  }

  /** Throttle time for `key` without recording (a strict controller mutation check). */
  throttle(key: ClientQuotaKey, principal: string, clientId: string | null): number {
    return this.record(key, principal, clientId, 0);
  }

  /**
   * controller_mutation_rate before `partitions` partitions are created or deleted. Strict (request
   * versions that know THROTTLING_QUOTA_EXCEEDED): refused while the client is over its rate.
   * Otherwise the partitions are counted and the throttle time returned.
   */
  mutation(
    principal: string,
    clientId: string | null,
    partitions: number,
    strict: boolean,
  ): { allowed: boolean; throttleMs: number } {
    if (!this.store.has('controller_mutation_rate')) return { allowed: true, throttleMs: 0 };
    if (strict) {
      const over = this.throttle('controller_mutation_rate', principal, clientId);
      if (over > 0) return { allowed: false, throttleMs: over };
    }
    return {
      allowed: true,
      throttleMs: this.record('controller_mutation_rate', principal, clientId, partitions),
    };
  }

  /** Records a new connection from `ip`; false when that exceeds the address's connection rate. */
  acceptConnection(ip: string): boolean {
    const quota = this.store.resolveIp(ip);
    if (quota === undefined) return true;
    const now = this.now();
    const sensor = this.sensor(`connection_creation_rate\u0000${ip}`, now);
    sensor.rate.record(1, now);
    return sensor.rate.measure(now) <= quota;
  }

  private sensor(id: string, now: number): Sensor {
    if (now - this.lastSweep > SWEEP_EVERY_MS) this.sweep(now);
    let s = this.sensors.get(id);
    if (!s) {
      s = { rate: new WindowedRate(this.windows.numWindows, this.windows.windowMs, now), lastUsed: now };
      this.sensors.set(id, s);
    }
    s.lastUsed = now;
    return s;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [id, s] of this.sensors) if (now - s.lastUsed > SENSOR_IDLE_MS) this.sensors.delete(id);
  }
}
