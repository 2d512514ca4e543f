/**
 * State stores and the pieces under the runtime: lmdb and memory byte stores agree (fast-check),
 * window stores drop segments past retention, a persistent store survives a reopen, the state
 * directory lock, and the task assignor.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { StateStoreContext } from '../../src/streams/processor/api.ts';
import { assignTasks, type SubscriptionInfo } from '../../src/streams/runtime/assignor.ts';
import { inferredSerde, Serdes, typePreservingSerde } from '../../src/streams/serdes.ts';
import { LmdbBytesStore, MemoryBytesStore } from '../../src/streams/state/bytes-store.ts';
import { StateDirectory, StateDirectoryLockedError } from '../../src/streams/state/state-directory.ts';
import { Stores } from '../../src/streams/state/stores.ts';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'samsa-streams-state-'));
}

function context(stateDir: string | null, log: unknown[] = []): StateStoreContext {
  return {
    applicationId: 'app',
    taskId: { subtopology: 0, partition: 0, toString: () => '0_0' },
    partition: 0,
    stateDir,
    cacheMaxBytes: 0,
    defaultKeySerde: typePreservingSerde,
    defaultValueSerde: typePreservingSerde,
    streamTime: () => 0,
    logChange: (_s, r) => log.push(r),
  };
}

test('lmdb and memory byte stores return the same ranges for any writes', () => {
  const dir = tmp();
  try {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 4 }), fc.option(fc.uint8Array({ maxLength: 3 }))),
          { maxLength: 40 },
        ),
        fc.uint8Array({ minLength: 1, maxLength: 2 }),
        fc.uint8Array({ minLength: 1, maxLength: 2 }),
        (writes, a, b) => {
          const lm = new LmdbBytesStore(join(dir, `s-${Math.random()}`));
          const mem = new MemoryBytesStore();
          const entries = writes.map(
            ([k, v]) => [Buffer.from(k), v === null ? null : Buffer.from(v)] as [Buffer, Buffer | null],
          );
          lm.write(entries);
          mem.write(entries);
          const [from, to] =
            Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0
              ? [Buffer.from(a), Buffer.from(b)]
              : [Buffer.from(b), Buffer.from(a)];
          const hex = (it: Iterable<[Buffer, Buffer]>) =>
            [...it].map(([k, v]) => `${k.toString('hex')}=${v.toString('hex')}`);
          assert.deepEqual(hex(lm.range(from, to)), hex(mem.range(from, to)));
          assert.deepEqual(hex(lm.range()), hex(mem.range()));
          assert.equal(lm.size(), mem.size());
          lm.close();
        },
      ),
      { numRuns: 40 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a persistent key-value store keeps its data across a reopen and logs each flushed change', () => {
  const dir = tmp();
  try {
    const log: unknown[] = [];
    const store = Stores.keyValueStoreBuilder(
      Stores.persistentKeyValueStore('kv'),
      Serdes.String(),
      Serdes.Long(),
    ).build();
    store.init(context(dir, log));
    store.put('a', 1);
    store.put('a', 2);
    store.put('b', 3);
    assert.equal(store.get('a'), 2); // read through the write cache
    store.flush();
    assert.equal(log.length, 2); // one changelog record per key per flush
    store.delete('b');
    store.flush();
    store.close();
    const again = Stores.keyValueStoreBuilder(
      Stores.persistentKeyValueStore('kv'),
      Serdes.String(),
      Serdes.Long(),
    ).build();
    again.init(context(dir));
    assert.deepEqual(again.all(), [{ key: 'a', value: 2 }]);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('window stores drop windows past retention and restore from changelog keys', () => {
  const dir = tmp();
  try {
    const log: { key: Buffer; value: Buffer | null; timestamp: number }[] = [];
    const build = () =>
      Stores.windowStoreBuilder(
        Stores.persistentWindowStore('w', 120_000, 60_000),
        Serdes.String(),
        Serdes.Long(),
      ).build();
    const w = build();
    w.init(context(join(dir, 'a'), log));
    w.put('k', 1, 0);
    w.put('k', 2, 60_000);
    w.put('k', 3, 600_000); // stream time 600000: everything older than 480001 expires
    w.flush();
    assert.equal(w.fetch('k', 0), null);
    assert.deepEqual(w.fetchRange('k', 0, 1_000_000), [{ timestamp: 600_000, value: 3 }]);
    w.put('k', 9, 1_000); // expired on arrival
    assert.equal(w.fetch('k', 1_000), null);
    w.close();
    const restored = build();
    restored.init(context(join(dir, 'b')));
    restored.restoreBatch(log);
    assert.deepEqual(
      restored.all().map((e) => [e.key.key, e.key.window.start, e.value]),
      [['k', 600_000, 3]],
    );
    restored.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the state directory is locked against a second instance; a dead owner's lock is taken over", () => {
  const dir = tmp();
  try {
    const a = new StateDirectory(dir, 'app');
    a.lock();
    assert.throws(() => new StateDirectory(dir, 'app').lock(), StateDirectoryLockedError);
    a.unlock();
    const b = new StateDirectory(dir, 'app');
    b.lock();
    b.unlock();
    const id = b.processId();
    assert.equal(new StateDirectory(dir, 'app').processId(), id);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inferred serdes: type-preserving for internal data, plain for user topics', () => {
  for (const v of ['text', 42, { a: [1, 'b'] }, Buffer.from([0, 255])]) {
    const bytes = typePreservingSerde.serializer().serialize('t', v)!;
    assert.deepEqual(typePreservingSerde.deserializer().deserialize('t', bytes), v);
  }
  assert.equal(inferredSerde.serializer().serialize('t', 'héllo')!.toString('utf8'), 'héllo');
  assert.equal(inferredSerde.serializer().serialize('t', { a: 1 })!.toString('utf8'), '{"a":1}');
});

function sub(processId: string, prevTasks: string[] = [], stateTasks: string[] = []): SubscriptionInfo {
  return { version: 1, processId, endpoint: null, prevTasks, stateTasks };
}

test('the assignor balances tasks, keeps them where they ran, and rejects inputs that are not co-partitioned', () => {
  const subtopologies = [
    { id: 0, sourceTopics: ['a', 'b'] },
    { id: 1, sourceTopics: ['app-x-repartition'] },
  ];
  const partitionCounts = new Map([
    ['a', 4],
    ['b', 4],
    ['app-x-repartition', 4],
  ]);
  const first = assignTasks({
    subtopologies,
    partitionCounts,
    members: [
      { memberId: 'm1', info: sub('p1') },
      { memberId: 'm2', info: sub('p2') },
    ],
  });
  assert.deepEqual(
    [...first.values()].map((a) => a.tasks.length),
    [4, 4],
  );
  const m1 = first.get('m1')!;
  assert.ok(m1.partitions.some((p) => p.topic === 'a') && m1.partitions.some((p) => p.topic === 'b'));
  // a third member joins: each of the first two keeps 2-3 of its own tasks
  const second = assignTasks({
    subtopologies,
    partitionCounts,
    members: [
      { memberId: 'm1', info: sub('p1', first.get('m1')!.tasks) },
      { memberId: 'm2', info: sub('p2', first.get('m2')!.tasks) },
      { memberId: 'm3', info: sub('p3') },
    ],
  });
  const counts = [...second.values()].map((a) => a.tasks.length).sort();
  assert.deepEqual(counts, [2, 3, 3]);
  for (const m of ['m1', 'm2'])
    for (const t of second.get(m)!.tasks) assert.ok(first.get(m)!.tasks.includes(t));
  assert.throws(
    () =>
      assignTasks({
        subtopologies,
        partitionCounts: new Map([...partitionCounts, ['b', 3]]),
        members: [{ memberId: 'm1', info: sub('p1') }],
      }),
    /not co-partitioned: a \(4\), b \(3\)/,
  );
});
