/**
 * A source task's records go out compressed as the producer's `compression.type` says (the
 * connector's `producer.override.compression.type`, else the worker's `producer.compression.type`;
 * Kafka's default `none`), as Kafka Connect's producer sends them: every batch in the topic's log
 * segment carries that codec, and a consumer reads every record back in order. A value Kafka's
 * producer would refuse fails the task with the key named in its trace.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SourceRecord } from '../../src/connect/api/index.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import {
  allRunning,
  startConnect,
  type TestConnect,
  textSourceRecord,
  topicSourcePlugin,
  topicValues,
} from '../helpers/connect.ts';

const RECORDS = 1200;
const PER_POLL = 300;
/** Kafka's codec ids in a batch's attributes (bits 0-2). */
const CODEC_IDS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

const value = (n: number) => `{"n":${n},"text":"${'compressible text '.repeat(8)}"}`;

/** RECORDS records in polls of PER_POLL to the topic named in the config; then nothing. */
const bulkSource = topicSourcePlugin('test.BulkSource', (topic) => {
  let n = 0;
  return async () => {
    if (n >= RECORDS) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return null;
    }
    const out: SourceRecord[] = [];
    for (let i = 0; i < PER_POLL; i++) {
      n++;
      out.push(textSourceRecord(topic, value(n), n));
    }
    return out;
  };
});

let broker: TestBroker;
let connect: TestConnect;

before(async () => {
  broker = await startBroker();
  // The worker's producer setting applies to connectors that do not override it.
  connect = await startConnect({
    bootstrap: broker.bootstrap,
    plugins: [bulkSource],
    properties: { 'producer.compression.type': 'gzip' },
  });
});

after(async () => {
  await connect?.stop();
  await broker?.stop();
});

/** The codec of every batch in the partition's first log segment, and the records they hold. */
function segmentCodecs(topic: string): { codecs: Set<number>; records: number; batches: number } {
  const log = readFileSync(join(broker.dataDir, `${topic}-0`, `${'0'.repeat(20)}.log`));
  const codecs = new Set<number>();
  let records = 0;
  let batches = 0;
  for (let at = 0; at + 61 <= log.length; ) {
    const length = log.readInt32BE(at + 8);
    if (length <= 0) break;
    codecs.add(log.readInt16BE(at + 21) & 0x07);
    records += log.readInt32BE(at + 57);
    batches++;
    at += 12 + length;
  }
  return { codecs, records, batches };
}

async function run(name: string, override: string | null): Promise<string> {
  const topic = `compressed-${name}`;
  const r = await connect.call('POST', '/connectors', {
    name,
    config: {
      'connector.class': 'test.BulkSource',
      topic,
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'topic.creation.default.partitions': '1',
      ...(override === null ? {} : { 'producer.override.compression.type': override }),
    },
  });
  assert.equal(r.status, 201);
  await connect.waitForStatus(name, allRunning());
  const deadline = Date.now() + 20_000;
  let values: string[] = [];
  while (Date.now() < deadline && values.length < RECORDS) {
    values = await topicValues(broker.bootstrap, topic);
    if (values.length < RECORDS) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(
    values,
    Array.from({ length: RECORDS }, (_, i) => value(i + 1)),
  );
  return topic;
}

for (const codec of ['zstd', 'lz4', 'snappy', 'none']) {
  test(`producer.override.compression.type=${codec}: every batch carries the codec, every record reads back in order`, async () => {
    const topic = await run(`codec-${codec}`, codec);
    const { codecs, records, batches } = segmentCodecs(topic);
    assert.deepEqual([...codecs], [CODEC_IDS[codec]]);
    assert.equal(records, RECORDS);
    assert.ok(batches >= RECORDS / 500, `${batches} batches`);
  });
}

test("without an override the worker's producer.compression.type applies (gzip); the name is case-insensitive", async () => {
  const inherited = await run('codec-worker', null);
  assert.deepEqual([...segmentCodecs(inherited).codecs], [CODEC_IDS.gzip]);
  const upper = await run('codec-upper', 'LZ4');
  assert.deepEqual([...segmentCodecs(upper).codecs], [CODEC_IDS.lz4]);
});

test('a compression.type the producer does not know fails the task, naming the key and the choices', async () => {
  const r = await connect.call('POST', '/connectors', {
    name: 'codec-bad',
    config: {
      'connector.class': 'test.BulkSource',
      topic: 'compressed-bad',
      'producer.override.compression.type': 'brotli',
    },
  });
  assert.equal(r.status, 201);
  const status = await connect.waitForStatus('codec-bad', (s) => s.tasks[0]?.state === 'FAILED');
  const trace = status.tasks[0]!.trace ?? '';
  assert.match(
    trace,
    /producer\.override\.compression\.type must be one of none, gzip, snappy, lz4, zstd, got "brotli"/,
  );
});
