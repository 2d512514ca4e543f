/**
 * Test helpers for the coordinator: an in-memory record store (optionally failing or held), a
 * coordinator on a FakeClock, request builders, and a flush for pending promise callbacks.
 */
import { setImmediate as tick } from 'node:timers/promises';
import type { GroupCoordinatorConfig } from '../../src/coordinator/config.ts';
import { encodeSubscription } from '../../src/coordinator/consumer-protocol.ts';
import { FakeClock } from '../../src/coordinator/fake-clock.ts';
import { GroupCoordinator } from '../../src/coordinator/group-coordinator.ts';
import type {
  JoinGroupRequest,
  RecordStore,
  StoredRecord,
  SyncGroupRequest,
} from '../../src/coordinator/types.ts';

export class MemoryStore implements RecordStore {
  readonly records: StoredRecord[] = [];
  /** When set, appends reject with this error. */
  failWith: unknown = null;
  /** When true, appends wait until release() is called. */
  hold = false;
  private held: (() => void)[] = [];

  async append(records: StoredRecord[]): Promise<void> {
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.failWith !== null) throw this.failWith;
    this.records.push(...records);
  }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const r of held) r();
  }
}

export interface Harness {
  coordinator: GroupCoordinator;
  clock: FakeClock;
  store: MemoryStore;
}

export function harness(config: Partial<GroupCoordinatorConfig> = {}, store = new MemoryStore()): Harness {
  const clock = new FakeClock(1_000_000);
  let n = 0;
  const coordinator = new GroupCoordinator({
    store,
    clock,
    config: { groupInitialRebalanceDelayMs: 0, ...config },
    newUuid: () => `uuid-${++n}`,
  });
  return { coordinator, clock, store };
}

/** Lets promise callbacks (store appends, resolved responses) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

/** Advances the fake clock and then flushes promise callbacks. */
export async function advance(clock: FakeClock, ms: number): Promise<void> {
  clock.advance(ms);
  await flush();
}

export function subscription(...topics: string[]): Buffer {
  return encodeSubscription({ topics });
}

export function joinRequest(overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription('orders') }],
    apiVersion: 3,
    ...overrides,
  };
}

export function syncRequest(overrides: Partial<SyncGroupRequest> = {}): SyncGroupRequest {
  return {
    groupId: 'g',
    generationId: 1,
    memberId: '',
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [],
    ...overrides,
  };
}

/** Tracks whether a promise has settled yet (for "the response is delayed" assertions). */
export function track<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  return { settled: () => done, promise };
}

export interface StableMember {
  memberId: string;
  clientId: string;
  groupInstanceId: string | null;
}

export interface StableGroup {
  generationId: number;
  leader: string;
  members: StableMember[];
}

/**
 * Joins the given members into group `g` (initial delay must be 0) and syncs them with
 * assignment `assign-<clientId>` each; returns ids and generation.
 */
export async function stableGroup(
  h: Harness,
  specs: { clientId: string; groupInstanceId?: string | null; topics?: string[] }[],
  groupId = 'g',
): Promise<StableGroup> {
  const joins = specs.map((s) =>
    h.coordinator.joinGroup(
      joinRequest({
        groupId,
        clientId: s.clientId,
        groupInstanceId: s.groupInstanceId ?? null,
        apiVersion: s.groupInstanceId ? 5 : 3,
        protocols: [{ name: 'range', metadata: subscription(...(s.topics ?? ['orders'])) }],
      }),
    ),
  );
  await advance(h.clock, 0);
  const results = await Promise.all(joins);
  const leader = results[0]!.leader;
  const generationId = results[0]!.generationId;
  const members = results.map((r, i) => ({
    memberId: r.memberId,
    clientId: specs[i]!.clientId,
    groupInstanceId: specs[i]!.groupInstanceId ?? null,
  }));
  const syncs = members.map((m) =>
    h.coordinator.syncGroup(
      syncRequest({
        groupId,
        generationId,
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        assignments:
          m.memberId === leader
            ? members.map((x) => ({ memberId: x.memberId, assignment: Buffer.from(`assign-${x.clientId}`) }))
            : [],
      }),
    ),
  );
  await flush();
  for (const s of await Promise.all(syncs)) {
    if (s.errorCode !== 0) throw new Error(`sync failed with ${s.errorCode}`);
  }
  return { generationId, leader, members };
}
