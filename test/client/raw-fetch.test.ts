import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Admin, Consumer, Producer } from '@platformatic/kafka';
import { type FetchedPartition, nextOffset, RawFetcher, visitRecords } from '../../src/client/raw-fetch.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { freePort } from '../helpers/postgres.ts';

let broker: TestBroker;
let admin: Admin;
let consumer: Consumer;
let fetcher: RawFetcher;

before(async () => {
  broker = await startBroker();
  const base = { clientId: 'raw-fetch-test', bootstrapBrokers: [broker.bootstrap] };
  admin = new Admin(base);
  consumer = new Consumer({ ...base, groupId: 'raw-fetch-test' });
  fetcher = new RawFetcher({ clientId: 'raw-fetch-test', connection: {}, metadata: consumer });
});

after(async () => {
  await fetcher.close();
  await consumer.close(true);
  await admin.close();
  await broker.stop();
});

async function topic(name: string) {
  await admin.createTopics({ topics: [name], partitions: 1, replicas: 1 });
}

function producer(extra: object = {}) {
  return new Producer({
    clientId: 'raw-fetch-test',
    bootstrapBrokers: [broker.bootstrap],
    autocreateTopics: false,
    ...extra,
  });
}

async function fetchOne(
  name: string,
  fetchOffset: number,
  isolationLevel: 0 | 1 = 0,
): Promise<FetchedPartition> {
  const [p] = await fetcher.fetch({
    partitions: [{ topic: name, partition: 0, fetchOffset, maxBytes: 1 << 20 }],
    maxWaitMs: 0,
    isolationLevel,
  });
  assert.ok(p);
  return p;
}

interface Seen {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}

function collect(p: FetchedPartition, fetchOffset: number, verifyCrc = true): { seen: Seen[]; next: number } {
  const seen: Seen[] = [];
  const next = visitRecords(
    p,
    fetchOffset,
    (r) =>
      seen.push({
        offset: r.offset,
        timestamp: r.timestamp,
        key: r.key()?.toString() ?? null,
        value: r.value()?.toString() ?? null,
        headers: r.headers().map(([k, v]) => [k, v?.toString() ?? null]),
      }),
    { verifyCrc },
  );
  return { seen, next };
}

test('records from a position inside a batch: offsets, timestamps, null keys, headers, next position', async () => {
  await topic('raw-plain');
  const p = producer();
  await p.send({
    messages: [
      {
        topic: 'raw-plain',
        partition: 0,
        key: Buffer.from('k0'),
        value: Buffer.from('v0'),
        timestamp: 1_700_000_000_000n,
      },
      {
        topic: 'raw-plain',
        partition: 0,
        value: Buffer.from('v1'),
        timestamp: 1_700_000_000_001n,
        headers: new Map([[Buffer.from('h'), Buffer.from('x')]]),
      },
      { topic: 'raw-plain', partition: 0, key: Buffer.from('k2'), timestamp: 1_700_000_300_000n },
    ],
  });
  await p.send({
    messages: [
      { topic: 'raw-plain', partition: 0, key: Buffer.from('k3'), value: Buffer.from('v3'), timestamp: 7n },
    ],
  });
  await p.close();
  const fetched = await fetchOne('raw-plain', 1);
  assert.equal(fetched.errorCode, 0);
  assert.equal(fetched.highWatermark, 4);
  const { seen, next } = collect(fetched, 1);
  assert.deepEqual(seen, [
    { offset: 1, timestamp: 1_700_000_000_001, key: null, value: 'v1', headers: [['h', 'x']] },
    { offset: 2, timestamp: 1_700_000_300_000, key: 'k2', value: null, headers: [] },
    { offset: 3, timestamp: 7, key: 'k3', value: 'v3', headers: [] },
  ]);
  assert.equal(next, 4);
  assert.equal(nextOffset(fetched.records, 1), 4);
  // nothing new: an empty record set leaves the position alone
  const empty = await fetchOne('raw-plain', 4);
  assert.equal(empty.records, null);
  assert.equal(collect(empty, 4).next, 4);
});

test('compressed batches (gzip, snappy, lz4, zstd) are inflated', async () => {
  for (const compression of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    const name = `raw-${compression}`;
    await topic(name);
    const p = producer({ compression });
    const values = Array.from({ length: 50 }, (_, i) => `${compression}-${i}-${'y'.repeat(i)}`);
    await p.send({ messages: values.map((v) => ({ topic: name, partition: 0, value: Buffer.from(v) })) });
    await p.close();
    const fetched = await fetchOne(name, 10);
    const { seen, next } = collect(fetched, 10);
    assert.deepEqual(
      seen.map((r) => r.value),
      values.slice(10),
      compression,
    );
    assert.equal(seen[0]?.offset, 10);
    assert.equal(next, 50);
  }
});

test('read_committed drops aborted transactions and control batches; read_uncommitted keeps the data', async () => {
  await topic('raw-txn');
  const plain = producer();
  const txp = producer({ transactionalId: 'raw-fetch-txn', idempotent: true, acks: -1 });
  const send = (t: { send: Producer['send'] }, value: string) =>
    t.send({ messages: [{ topic: 'raw-txn', partition: 0, value: Buffer.from(value) }] });
  await send(plain, 'plain-1');
  let tx = await txp.beginTransaction();
  await send(tx, 'committed-1');
  await tx.commit();
  tx = await txp.beginTransaction();
  await send(tx, 'aborted-1');
  await send(tx, 'aborted-2');
  await send(plain, 'plain-2');
  await tx.abort();
  tx = await txp.beginTransaction();
  await send(tx, 'committed-2');
  await tx.commit();
  await plain.close();
  await txp.close();

  const committed = await fetchOne('raw-txn', 0, 1);
  assert.ok(committed.aborted && committed.aborted.length > 0);
  const rc = collect(committed, 0);
  assert.deepEqual(
    rc.seen.map((r) => r.value),
    ['plain-1', 'committed-1', 'plain-2', 'committed-2'],
  );
  // past the last control marker: nothing is fetched twice
  assert.equal(rc.next, committed.lastStableOffset);
  assert.equal(rc.next, committed.highWatermark);
  assert.equal(nextOffset(committed.records, 0), rc.next);

  const all = collect(await fetchOne('raw-txn', 0, 0), 0);
  assert.deepEqual(
    all.seen.map((r) => r.value),
    ['plain-1', 'committed-1', 'aborted-1', 'aborted-2', 'plain-2', 'committed-2'],
  );
});

test('an out-of-range position comes back as OFFSET_OUT_OF_RANGE; unknown topics are a precise error', async () => {
  await topic('raw-range');
  const p = producer();
  await p.send({ messages: [{ topic: 'raw-range', partition: 0, value: Buffer.from('a') }] });
  await p.close();
  const fetched = await fetchOne('raw-range', 100);
  assert.equal(fetched.errorCode, 1);
  assert.equal(fetched.records, null);
  await assert.rejects(
    fetcher.fetch({
      partitions: [{ topic: 'raw-missing', partition: 0, fetchOffset: 0, maxBytes: 1024 }],
      maxWaitMs: 0,
      isolationLevel: 0,
    }),
    /raw-missing/,
  );
});

test('a corrupt batch fails its CRC check (unless checks are off); a partial trailing batch is left for the next fetch', async () => {
  await topic('raw-crc');
  const p = producer();
  await p.send({ messages: [{ topic: 'raw-crc', partition: 0, value: Buffer.from('first') }] });
  await p.send({ messages: [{ topic: 'raw-crc', partition: 0, value: Buffer.from('second') }] });
  await p.close();
  const fetched = await fetchOne('raw-crc', 0);
  const bytes = Buffer.from(fetched.records!);
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 3]! ^= 0xff; // inside the second batch's value
  assert.throws(
    () => collect({ ...fetched, records: flipped }, 0),
    /raw-crc-0: batch at offset 1 is corrupt/,
  );
  assert.equal(collect({ ...fetched, records: flipped }, 0, false).seen.length, 2);
  const partial = collect({ ...fetched, records: bytes.subarray(0, bytes.length - 5) }, 0);
  assert.deepEqual(
    partial.seen.map((r) => r.value),
    ['first'],
  );
  assert.equal(partial.next, 1);
  assert.equal(nextOffset(bytes.subarray(0, bytes.length - 5), 0), 1);
});

test('endOffset stops before records at or past it', async () => {
  await topic('raw-end');
  const p = producer();
  await p.send({
    messages: ['a', 'b', 'c', 'd'].map((v) => ({ topic: 'raw-end', partition: 0, value: Buffer.from(v) })),
  });
  await p.close();
  const fetched = await fetchOne('raw-end', 0);
  const seen: string[] = [];
  visitRecords(fetched, 0, (r) => seen.push(r.value()!.toString()), { endOffset: 2 });
  assert.deepEqual(seen, ['a', 'b']);
});

test('a fetch that finds the broker gone is retried until it is back', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-raw-fetch-'));
  const port = await freePort();
  let restarted = await startBroker({ dataDir, port });
  const base = { clientId: 'raw-fetch-restart', bootstrapBrokers: [restarted.bootstrap] };
  const c = new Consumer({ ...base, groupId: 'raw-fetch-restart' });
  let f: RawFetcher | undefined;
  try {
    const a = new Admin(base);
    await a.createTopics({ topics: ['raw-restart'], partitions: 1, replicas: 1 });
    await a.close();
    const p = new Producer({ ...base, autocreateTopics: false });
    await p.send({ messages: [{ topic: 'raw-restart', partition: 0, value: Buffer.from('kept') }] });
    await p.close();
    // leaders as they were before the restart (the same broker comes back on the same port)
    const metadata = await c.metadata({ topics: ['raw-restart'] });
    f = new RawFetcher({
      clientId: 'raw-fetch-restart',
      connection: {},
      metadata: { metadata: async () => metadata },
      retries: 50,
      retryDelayMs: 200,
    });
    const request = {
      partitions: [{ topic: 'raw-restart', partition: 0, fetchOffset: 0, maxBytes: 1 << 20 }],
      maxWaitMs: 0,
      isolationLevel: 0 as const,
    };
    assert.equal((await f.fetch(request))[0]?.highWatermark, 1);
    await restarted.stop();
    const fetching = f.fetch(request);
    fetching.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 500)); // the first attempts find nothing listening
    restarted = await startBroker({ dataDir, port });
    const [after] = await fetching;
    const seen: string[] = [];
    visitRecords(after!, 0, (r) => seen.push(r.value()!.toString()));
    assert.deepEqual(seen, ['kept']);
  } finally {
    await f?.close();
    await c.close(true);
    await restarted.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a large response spans socket chunks: whole, and its buffer holds a later response once released', async () => {
  await topic('raw-large');
  const p = producer({ acks: 1 });
  const value = (i: number, round: number) => Buffer.from(`${round}:${i}:`.padEnd(1000, 'v'));
  await p.send({
    messages: Array.from({ length: 600 }, (_, i) => ({ topic: 'raw-large', value: value(i, 0) })),
  });
  const first = await fetchOne('raw-large', 0);
  const a = collect(first, 0);
  assert.equal(a.seen.length, 600);
  assert.ok(a.seen.every((r, i) => r.value === value(i, 0).toString()));
  const buffer = first.records!.buffer;
  fetcher.release(first.records!);
  await p.send({
    messages: Array.from({ length: 600 }, (_, i) => ({ topic: 'raw-large', value: value(i, 1) })),
  });
  const second = await fetchOne('raw-large', 600);
  assert.equal(second.records!.buffer, buffer); // the released buffer, reused
  const b = collect(second, 600);
  assert.equal(b.seen.length, 600);
  assert.ok(b.seen.every((r, i) => r.value === value(i, 1).toString()));
  // not released: the next response is in another buffer
  const third = await fetchOne('raw-large', 0);
  assert.notEqual(third.records!.buffer, buffer);
  const c = collect(third, 0).seen;
  assert.ok(c.length >= 600);
  assert.ok(c.every((r) => r.value === value(r.offset % 600, r.offset < 600 ? 0 : 1).toString()));
  await p.close();
});
