/**
 * librdkafka through kcat: metadata listing, and a 100,000-record keyed round trip with headers
 * under every compression codec. Consumed keys, values, headers and per-partition order must match
 * what was produced.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { run } from '../helpers/run.ts';

const RECORDS = 100_000;
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
});
