/**
 * The Processor API and the test driver's time: custom processors with forward and state stores,
 * stream-time and wall-clock punctuation, the deserialization exception handlers, and the
 * Topology's sub-topologies and description.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  PunctuationType,
  Serdes,
  Stores,
  StreamsException,
  Topology,
  TopologyTestDriver,
} from '../../src/streams/index.ts';

const S = Serdes.String();
const L = Serdes.Long();

/** Counts per key in a store; emits all counts on every punctuation. */
function countingProcessor(
  type: PunctuationType,
  interval: number,
): () => Processor<string, string, string, number> {
  return () => {
    let ctx: ProcessorContext<string, number>;
    let store: KeyValueStore<string, number>;
    return {
      init(c) {
        ctx = c;
        store = c.getStateStore('counts');
        c.schedule(interval, type, (ts) => {
          for (const { key, value } of store.all()) ctx.forward({ key, value, timestamp: ts, headers: [] });
        });
      },
      process(r) {
        store.put(r.key, (store.get(r.key) ?? 0) + 1);
      },
    };
  };
}

function topology(type: PunctuationType, interval: number): Topology {
  return new Topology()
    .addSource({ name: 'src', topics: ['in'], keySerde: S, valueSerde: S })
    .addProcessor('count', countingProcessor(type, interval), 'src')
    .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), S, L), 'count')
    .addSink({ name: 'sink', topic: 'out', parents: ['count'], keySerde: S, valueSerde: L });
}

test('stream-time punctuation fires as record timestamps advance, not with the wall clock', () => {
  const d = new TopologyTestDriver(topology(PunctuationType.STREAM_TIME, 1_000), {}, 0);
  const input = d.createInputTopic('in', S, S);
  const out = d.createOutputTopic('out', S, L);
  input.pipeInput('a', 'x', 0); // first punctuation at the first record
  assert.deepEqual(out.readKeyValuesToList(), [{ key: 'a', value: 1 }]);
  input.pipeInput('a', 'x', 500);
  d.advanceWallClockTime(60_000);
  assert.equal(out.getQueueSize(), 0);
  input.pipeInput('b', 'x', 1_000);
  assert.deepEqual(out.readKeyValuesToList(), [
    { key: 'a', value: 2 },
    { key: 'b', value: 1 },
  ]);
  d.close();
});

test('wall-clock punctuation fires when the driver advances time', () => {
  const d = new TopologyTestDriver(topology(PunctuationType.WALL_CLOCK_TIME, 10_000), {}, 0);
  const input = d.createInputTopic('in', S, S);
  const out = d.createOutputTopic('out', S, L);
  input.pipeInput('a', 'x', 99_999_999);
  assert.equal(out.getQueueSize(), 0);
  d.advanceWallClockTime(9_999);
  assert.equal(out.getQueueSize(), 0);
  d.advanceWallClockTime(1);
  assert.deepEqual(out.readKeyValuesToList(), [{ key: 'a', value: 1 }]);
  d.close();
});

test('processors only reach stores connected to them; recordMetadata names the input', () => {
  const seen: string[] = [];
  const t = new Topology()
    .addSource({ name: 'src', topics: ['in'], keySerde: S, valueSerde: S })
    .addProcessor(
      'p',
      () => ({
        init(c: ProcessorContext<unknown, unknown>) {
          assert.throws(() => c.getStateStore('other'), /no access to StateStore other/);
        },
        process() {},
      }),
      'src',
    )
    .addProcessor(
      'q',
      () => {
        let c: ProcessorContext<unknown, unknown>;
        return {
          init(ctx: ProcessorContext<unknown, unknown>) {
            c = ctx;
          },
          process() {
            const m = c.recordMetadata()!;
            seen.push(`${m.topic}/${m.partition}/${m.offset}`);
          },
        };
      },
      'src',
    )
    .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('other'), S, S), 'q');
  const d = new TopologyTestDriver(t);
  const input = d.createInputTopic('in', S, S);
  input.pipeInput('k', 'v');
  input.pipeInput('k', 'v');
  assert.deepEqual(seen, ['in/0/0', 'in/0/1']);
  d.close();
});

test('deserialization errors: LogAndContinueExceptionHandler skips and counts, LogAndFailExceptionHandler stops with the position', () => {
  const J = Serdes.JSON<{ n: number }>();
  const build = () =>
    new Topology()
      .addSource({ name: 'src', topics: ['in'], keySerde: S, valueSerde: J as never })
      .addSink({ name: 'sink', topic: 'out', parents: ['src'], keySerde: S, valueSerde: J as never });
  const cont = new TopologyTestDriver(build(), {
    'default.deserialization.exception.handler': 'LogAndContinueExceptionHandler',
  });
  const input = cont.createInputTopic('in', S, J);
  input.pipeRawInput(Buffer.from('k'), Buffer.from('{not json'));
  input.pipeInput('k', { n: 1 });
  assert.deepEqual(cont.createOutputTopic('out', S, J).readValuesToList(), [{ n: 1 }]);
  assert.equal(cont.metrics().skippedRecordsTotal, 1);
  cont.close();

  const fail = new TopologyTestDriver(build(), {
    'default.deserialization.exception.handler': 'org.apache.kafka.streams.errors.LogAndFailExceptionHandler',
  });
  assert.throws(
    () => fail.createInputTopic('in', S, J).pipeRawInput(Buffer.from('k'), Buffer.from('{not json')),
    (err: Error) =>
      err instanceof StreamsException &&
      /topic in, partition 0, offset 0/.test(err.message) &&
      /invalid JSON/.test(err.message),
  );
  fail.close();
});

test('topology errors are precise; sub-topologies split at repartition topics', () => {
  assert.throws(
    () => new Topology().addProcessor('p', () => ({ process() {} }), 'missing'),
    /Parent processor missing is not added yet/,
  );
  assert.throws(
    () => new Topology().addSource('a', 't').addSource('b', 't'),
    /Topic t has already been registered by source a/,
  );
  const t = topology(PunctuationType.STREAM_TIME, 1);
  assert.equal(t.subtopologies().length, 1);
  assert.match(t.describe(), /Sub-topology: 0\n {4}Source: src \(topics: \[in\]\)/);
});
