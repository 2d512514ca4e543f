/**
 * librdkafka through kcat: metadata listing, and a 20,000-record keyed round trip with headers
 * under every compression codec. With the consumer's per-partition fetch limit at 64 KB that is
 * ~8 fetches per partition uncompressed and ~2 compressed (librdkafka's fetch debug log), where
 * 100,000 records at the default 1 MB took ~4 and ~2: the same batch and fetch boundaries for
 * a fifth of the records (100,000 until December 2026, 2.5 times the CPU). Consumed keys, values, headers and per-partition order must match
 * what was produced. A consumer reading a 40 MB partition from the start is served from read-ahead
 * (src/log/read-ahead.ts) and still gets every record once, in order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { run } from '../helpers/run.ts';

const RECORDS = 20_000;
let broker: TestBroker;

before(async () => {
  broker = await startBroker({ numPartitions: 3 });
});
after(async () => {
  await broker?.stop();
});

describe('kcat (librdkafka)', () => {
  it('lists metadata', async () => {
    await run('kcat', ['-b', broker.bootstrap, '-P', '-t', 'meta-topic'], { input: 'hello\n' });
    const res = await run('kcat', ['-b', broker.bootstrap, '-L', '-J']);
    assert.equal(res.code, 0, res.stderr);
    const md = JSON.parse(res.stdout) as {
      brokers: { id: number; name: string }[];
      topics: { topic: string; partitions: unknown[] }[];
    };
    assert.equal(md.brokers.length, 1);
    assert.equal(md.brokers[0]!.name, broker.bootstrap);
    const t = md.topics.find((x) => x.topic === 'meta-topic');
    assert.ok(t, 'auto-created topic is listed');
    assert.equal(t.partitions.length, 3);
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    it(`round-trips ${RECORDS} keyed records with headers, compression ${codec}`, async () => {
      const topic = `kcat-${codec}`;
      const lines: string[] = [];
      for (let i = 0; i < RECORDS; i++) lines.push(`key-${i % 1000}\tvalue-${i}-${'x'.repeat(i % 50)}`);
      const produced = await run(
        'kcat',
        [
          '-b',
          broker.bootstrap,
          '-P',
          '-t',
          topic,
          '-K',
          '\t',
          '-z',
          codec,
          '-H',
          'source=kcat',
          '-H',
          `codec=${codec}`,
          '-X',
          'linger.ms=5',
          '-X',
          'batch.num.messages=5000',
        ],
        { input: `${lines.join('\n')}\n` },
      );
      assert.equal(produced.code, 0, produced.stderr);
      const consumed = await run('kcat', [
        '-b',
        broker.bootstrap,
        '-C',
        '-t',
        topic,
        '-o',
        'beginning',
        '-e',
        '-J',
        '-c',
        String(RECORDS),
        '-X',
        'max.partition.fetch.bytes=65536',
      ]);
      assert.equal(consumed.code, 0, consumed.stderr);
      const msgs = consumed.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map(
          (l) =>
            JSON.parse(l) as {
              partition: number;
              offset: number;
              key: string;
              payload: string;
              headers?: string[];
            },
        );
      assert.equal(msgs.length, RECORDS);
      // Same key always lands on the same partition, and per key the values arrive in produce order.
      const lastIndexByKey = new Map<string, number>();
      const partitionByKey = new Map<string, number>();
      const lastOffset = new Map<number, number>();
      for (const m of msgs) {
        const i = Number(m.payload.split('-')[1]);
        assert.equal(m.key, `key-${i % 1000}`);
        assert.equal(m.payload, `value-${i}-${'x'.repeat(i % 50)}`);
        assert.deepEqual(m.headers, ['source', 'kcat', 'codec', codec]);
        const prevPartition = partitionByKey.get(m.key);
        if (prevPartition !== undefined) assert.equal(m.partition, prevPartition);
        partitionByKey.set(m.key, m.partition);
        const prev = lastIndexByKey.get(m.key);
        if (prev !== undefined) assert.ok(i > prev, `order for ${m.key}`);
        lastIndexByKey.set(m.key, i);
        const po = lastOffset.get(m.partition);
        if (po !== undefined) assert.equal(m.offset, po + 1, 'offsets are dense per partition');
        lastOffset.set(m.partition, m.offset);
      }
      const seen = new Set(msgs.map((m) => Number(m.payload.split('-')[1])));
      assert.equal(seen.size, RECORDS, 'every record exactly once');
    });
  }

  it('reads a 40 MB partition from the start through read-ahead, every record once and in order', async () => {
    const topic = 'kcat-catch-up';
    const count = 200_000;
    const value = (i: number) =>
      `catch-up-${i}-${((i * 2654435761) >>> 0).toString(36).repeat(40).slice(0, 180)}`;
    await run('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-p', '0'], {
      input: `${Array.from({ length: count }, (_, i) => value(i)).join('\n')}\n`,
    });
    const stats = broker.broker.services.logs.readAhead.stats;
    const hitsBefore = stats.hits;
    const consumed = await run('kcat', [
      '-b',
      broker.bootstrap,
      '-C',
      '-t',
      topic,
      '-p',
      '0',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-X',
      'fetch.max.bytes=4194304',
      '-X',
      'max.partition.fetch.bytes=2097152',
    ]);
    assert.equal(consumed.code, 0, consumed.stderr);
    const lines = consumed.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, count);
    for (let i = 0; i < count; i++)
      if (lines[i] !== value(i)) assert.fail(`record ${i}: ${lines[i]?.slice(0, 40)}`);
    assert.ok(stats.hits - hitsBefore >= 10, `${stats.hits - hitsBefore} fetches served from read-ahead`);
  });
});
