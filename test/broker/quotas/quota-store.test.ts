/**
 * The quota store and rate on their own: Kafka's precedence between user, client-id and default
 * entities (per key, with the entity whose clients share the rate), validation reasons, describe
 * filters, persistence across instances, and the windowed rate's throttle time.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { QuotaManager } from '../../../src/broker/quotas/quota-manager.ts';
import { type EntityPart, QuotaError, QuotaStore } from '../../../src/broker/quotas/quota-store.ts';
import { throttleTimeMs, WindowedRate } from '../../../src/broker/quotas/rate.ts';

const dirs: string[] = [];
function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'samsa-quotas-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const user = (n: string | null): EntityPart => ({ entityType: 'user', entityName: n });
const client = (n: string | null): EntityPart => ({ entityType: 'client-id', entityName: n });
const set = (store: QuotaStore, entity: EntityPart[], key: string, value: number): void => {
  store.validate(entity, [{ key, value, remove: false }]);
  store.alter(entity, [{ key, value, remove: false }]);
};

describe('quota precedence', () => {
  it("follows Kafka's eight levels, per key, with the sharing entity", () => {
    const store = new QuotaStore(freshDir());
    const K = 'producer_byte_rate';
    assert.equal(store.resolve(K, 'alice', 'app'), undefined, 'no quota set');
    set(store, [client(null)], K, 8);
    assert.deepEqual(store.resolve(K, 'alice', 'app'), { quota: 8, user: '', clientId: 'app' });
    set(store, [client('app')], K, 7);
    assert.equal(store.resolve(K, 'alice', 'app')?.quota, 7);
    set(store, [user(null)], K, 6);
    assert.deepEqual(store.resolve(K, 'alice', 'app'), { quota: 6, user: 'alice', clientId: '' });
    set(store, [user(null), client(null)], K, 5);
    assert.deepEqual(store.resolve(K, 'alice', 'app'), { quota: 5, user: 'alice', clientId: 'app' });
    set(store, [user(null), client('app')], K, 4);
    assert.equal(store.resolve(K, 'alice', 'app')?.quota, 4);
    set(store, [user('alice')], K, 3);
    assert.deepEqual(store.resolve(K, 'alice', 'app'), { quota: 3, user: 'alice', clientId: '' });
    set(store, [user('alice'), client(null)], K, 2);
    assert.equal(store.resolve(K, 'alice', 'app')?.quota, 2);
    set(store, [user('alice'), client('app')], K, 1);
    assert.equal(store.resolve(K, 'alice', 'app')?.quota, 1);
    assert.equal(store.resolve(K, 'bob', 'other')?.quota, 5, 'bob falls to the default user and client id');
    assert.equal(store.resolve('consumer_byte_rate', 'alice', 'app'), undefined, 'each key on its own');
  });

  it('resolves connection_creation_rate per address, then the default address', () => {
    const store = new QuotaStore(freshDir());
    set(store, [{ entityType: 'ip', entityName: null }], 'connection_creation_rate', 10);
    set(store, [{ entityType: 'ip', entityName: '127.0.0.2' }], 'connection_creation_rate', 2);
    assert.equal(store.resolveIp('127.0.0.2'), 2);
    assert.equal(store.resolveIp('127.0.0.3'), 10);
  });
});

describe('quota validation', () => {
  const cases: [EntityPart[], string, number, RegExp][] = [
    [[], 'producer_byte_rate', 1, /empty client quota entity/],
    [
      [{ entityType: 'group', entityName: 'x' }],
      'producer_byte_rate',
      1,
      /Unhandled client quota entity type: group/,
    ],
    [[user('a'), user('b')], 'producer_byte_rate', 1, /Duplicate user/],
    [
      [user('a'), { entityType: 'ip', entityName: '1.2.3.4' }],
      'connection_creation_rate',
      1,
      /IP entity should not be combined/,
    ],
    [[{ entityType: 'ip', entityName: 'not-an-ip' }], 'connection_creation_rate', 1, /not a valid IP/],
    [[user('a')], 'connection_creation_rate', 1, /Invalid configuration key connection_creation_rate/],
    [
      [{ entityType: 'ip', entityName: null }],
      'producer_byte_rate',
      1,
      /Invalid configuration key producer_byte_rate/,
    ],
    [[user('a')], 'bogus', 1, /Invalid configuration key bogus/],
    [[user('a')], 'producer_byte_rate', 1.5, /whole number/],
    [[user('a')], 'consumer_byte_rate', -1, /positive/],
  ];
  for (const [entity, key, value, reason] of cases) {
    it(`rejects ${JSON.stringify(entity)} ${key}=${value}`, () => {
      const store = new QuotaStore(freshDir());
      assert.throws(
        () => store.validate(entity, [{ key, value, remove: false }]),
        (e: unknown) => {
          assert.ok(e instanceof QuotaError);
          assert.match(e.message, reason);
          return true;
        },
      );
    });
  }
  it('accepts fractional request_percentage and removals of any value', () => {
    const store = new QuotaStore(freshDir());
    store.validate([user('a')], [{ key: 'request_percentage', value: 12.5, remove: false }]);
    store.validate([user('a')], [{ key: 'producer_byte_rate', value: 0, remove: true }]);
  });
});

describe('describe filters and persistence', () => {
  it('matches exact, default and any names, strict or not, and survives a new instance', () => {
    const dir = freshDir();
    const store = new QuotaStore(dir);
    set(store, [user('alice')], 'producer_byte_rate', 100);
    set(store, [user(null)], 'producer_byte_rate', 50);
    set(store, [user('alice'), client('app')], 'consumer_byte_rate', 200);
    set(store, [client('app')], 'request_percentage', 25);
    store.save();
    const names = (s: QuotaStore, f: Parameters<QuotaStore['describe']>[0], strict = false) =>
      s
        .describe(f, strict)
        .map((e) => e.entity.map((p) => `${p.entityType}=${p.entityName ?? '<default>'}`).join(','));
    const again = new QuotaStore(dir);
    assert.equal(again.describe([], false).length, 4);
    assert.deepEqual(names(again, [{ entityType: 'user', matchType: 0, match: 'alice' }]).sort(), [
      'user=alice',
      'user=alice,client-id=app',
    ]);
    assert.deepEqual(names(again, [{ entityType: 'user', matchType: 0, match: 'alice' }], true), [
      'user=alice',
    ]);
    assert.deepEqual(names(again, [{ entityType: 'user', matchType: 1, match: null }]), ['user=<default>']);
    assert.equal(
      names(again, [{ entityType: 'user', matchType: 2, match: null }]).length,
      2,
      'any specified name',
    );
    assert.deepEqual(names(again, [{ entityType: 'client-id', matchType: 2, match: null }], true), [
      'client-id=app',
    ]);
    assert.throws(
      () => again.describe([{ entityType: 'user', matchType: 0, match: null }], false),
      QuotaError,
    );
    assert.throws(
      () =>
        again.describe(
          [
            { entityType: 'ip', matchType: 2, match: null },
            { entityType: 'user', matchType: 2, match: null },
          ],
          false,
        ),
      /should not be used with User or ClientId/,
    );
    again.alter([user('alice')], [{ key: 'producer_byte_rate', value: 0, remove: true }]);
    assert.equal(
      again.describe([{ entityType: 'user', matchType: 0, match: 'alice' }], true).length,
      0,
      'last key removed: entity gone',
    );
  });
});

describe('windowed rate', () => {
  it("throttles for as long as Kafka's formula says, spreading a first burst over the windows", () => {
    const rate = new WindowedRate(11, 1000, 0);
    rate.record(5_000_000, 0);
    assert.equal(rate.measure(0), 500_000, '5 MB over the minimum span of 10 windows');
    assert.equal(throttleTimeMs(rate, 1_000_000, 0), 0);
    rate.record(10_000_000, 100);
    // 15 MB over 10.1 s against 1 MB/s: (15 / 10.1 - 1) / 1 * 10.1 s = 4.9 s
    assert.equal(throttleTimeMs(rate, 1_000_000, 100), 4900);
    assert.equal(rate.measure(30_000), 0, 'old windows are forgotten');
  });

  it('shares a user quota across client ids and keeps another user unthrottled', () => {
    let now = 0;
    const store = new QuotaStore(freshDir());
    set(store, [user('alice')], 'producer_byte_rate', 1000);
    const m = new QuotaManager(store, { numWindows: 11, windowMs: 1000 }, () => now);
    assert.equal(m.record('producer_byte_rate', 'User:alice', 'a', 8000), 0);
    now = 10;
    assert.ok(m.record('producer_byte_rate', 'User:alice', 'b', 8000) > 0, 'alice is over, whichever client');
    assert.equal(m.record('producer_byte_rate', 'User:bob', 'a', 1e9), 0, 'bob has no quota');
  });
});
