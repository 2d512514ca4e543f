/**
 * Every DSL operator against expected outputs, run with the TopologyTestDriver (no broker):
 * stateless operators, branching and merging, grouping and aggregation, all window types with
 * grace and late records, suppress, table operations and every join kind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Branched,
  JoinWindows,
  KeyValue,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  TopologyTestDriver,
  type Windowed,
  WindowedSerdes,
} from '../../src/streams/index.ts';

const S = Serdes.String();
const L = Serdes.Long();
const str = { keySerde: S, valueSerde: S };

function driverFor(build: (b: StreamsBuilder) => void, config = {}) {
  const b = new StreamsBuilder();
  build(b);
  return new TopologyTestDriver(b.build(), { 'application.id': 'dsl-test', ...config }, 0);
}

test('filter, filterNot, map, mapValues, selectKey, peek and foreach', () => {
  const peeked: string[] = [];
  const seen: string[] = [];
  const d = driverFor((b) => {
    const s = b.stream<string, string>('in', str);
    s.filter((_k, v) => v.length > 2)
      .mapValues((v) => v.toUpperCase())
      .to('long', { keySerde: S, valueSerde: S });
    s.filterNot((_k, v) => v.length > 2).to('short', { keySerde: S, valueSerde: S });
    s.map((k, v) => [v, k] as const).to('swapped', { keySerde: S, valueSerde: S });
    s.selectKey((_k, v) => v[0]!)
      .peek((k) => peeked.push(k))
      .to('by-first', { keySerde: S, valueSerde: S });
    s.foreach((k, v) => seen.push(`${k}=${v}`));
  });
  const input = d.createInputTopic('in', S, S);
  input.pipeInput('a', 'apple');
  input.pipeInput('b', 'be');
  assert.deepEqual(d.createOutputTopic('long', S, S).readKeyValuesToList(), [{ key: 'a', value: 'APPLE' }]);
  assert.deepEqual(d.createOutputTopic('short', S, S).readKeyValuesToList(), [{ key: 'b', value: 'be' }]);
  assert.deepEqual(d.createOutputTopic('swapped', S, S).readKeyValuesToList(), [
    { key: 'apple', value: 'a' },
    { key: 'be', value: 'b' },
  ]);
  assert.deepEqual(d.createOutputTopic('by-first', S, S).readKeyValuesToList(), [
    { key: 'a', value: 'apple' },
    { key: 'b', value: 'be' },
  ]);
  assert.deepEqual(peeked, ['a', 'b']);
  assert.deepEqual(seen, ['a=apple', 'b=be']);
  d.close();
});

test('flatMap and flatMapValues keep timestamps; to() with a topic extractor', () => {
  const d = driverFor((b) => {
    const s = b.stream<string, string>('in', str);
    s.flatMapValues((v) => v.split(' ')).to('words', { keySerde: S, valueSerde: S });
    s.flatMap((k, v) => v.split(' ').map((w) => KeyValue.pair(w, k))).to(
      (key) => (key.length > 3 ? 'long-words' : 'short-words'),
      {
        keySerde: S,
        valueSerde: S,
      },
    );
  });
  d.createInputTopic('in', S, S).pipeInput('k', 'hello big world', 1234);
  const words = d.createOutputTopic('words', S, S).readRecordsToList();
  assert.deepEqual(
    words.map((r) => [r.key, r.value, r.timestamp]),
    [
      ['k', 'hello', 1234],
      ['k', 'big', 1234],
      ['k', 'world', 1234],
    ],
  );
  assert.deepEqual(
    d
      .createOutputTopic('long-words', S, S)
      .readKeyValuesToList()
      .map((kv) => kv.key),
    ['hello', 'world'],
  );
  assert.deepEqual(
    d
      .createOutputTopic('short-words', S, S)
      .readKeyValuesToList()
      .map((kv) => kv.key),
    ['big'],
  );
  d.close();
});

test('split/branch sends each record to the first matching branch; merge joins streams', () => {
  const d = driverFor((b) => {
    const branches = b
      .stream<string, string>('in', str)
      .split({ name: 'split-' })
      .branch((_k, v) => v.startsWith('a'), Branched.as('a'))
      .branch(
        (_k, v) => v.startsWith('b'),
        Branched.withFunction((s) => s.mapValues((v) => `B:${v}`), 'b'),
      )
      .defaultBranch(Branched.as('other'));
    assert.deepEqual([...branches.keys()], ['split-a', 'split-b', 'split-other']);
    branches.get('split-a')!.to('a', { keySerde: S, valueSerde: S });
    branches
      .get('split-b')!
      .merge(branches.get('split-other')!)
      .to('b-or-other', { keySerde: S, valueSerde: S });
  });
  const input = d.createInputTopic('in', S, S);
  for (const v of ['apple', 'banana', 'cherry', 'avocado']) input.pipeInput('k', v);
  assert.deepEqual(d.createOutputTopic('a', S, S).readValuesToList(), ['apple', 'avocado']);
  assert.deepEqual(d.createOutputTopic('b-or-other', S, S).readValuesToList(), ['B:banana', 'cherry']);
  d.close();
});

test('groupBy goes through <application.id>-<name>-repartition; count, reduce and aggregate', () => {
  const d = driverFor((b) => {
    const grouped = b
      .stream<string, string>('in', str)
      .groupBy((_k, v) => v.split(':')[0]!, { keySerde: S, valueSerde: S });
    grouped.count({ name: 'counts' }).toStream().to('counts-out', { keySerde: S, valueSerde: L });
    grouped
      .reduce((a, v) => `${a}|${v}`, { name: 'reduced', valueSerde: S })
      .toStream()
      .to('reduce-out', { keySerde: S, valueSerde: S });
    grouped
      .aggregate(
        () => 0,
        (_k, v, agg) => agg + Number(v.split(':')[1]),
        { name: 'sums', valueSerde: L },
      )
      .toStream()
      .to('sum-out', { keySerde: S, valueSerde: L });
  });
  const input = d.createInputTopic('in', S, S);
  input.pipeInput('x', 'a:1');
  input.pipeInput('y', 'b:5');
  input.pipeInput('z', 'a:2');
  assert.ok(d.producedTopicNames().has('dsl-test-counts-repartition'));
  assert.deepEqual(
    [...d.createOutputTopic('counts-out', S, L).readKeyValuesToMap()],
    [
      ['a', 2],
      ['b', 1],
    ],
  );
  assert.deepEqual(d.createOutputTopic('reduce-out', S, S).readKeyValuesToMap().get('a'), 'a:1|a:2');
  assert.deepEqual(
    [...d.createOutputTopic('sum-out', S, L).readKeyValuesToMap()],
    [
      ['a', 3],
      ['b', 5],
    ],
  );
  assert.equal(d.getKeyValueStore<string, number>('counts').get('a'), 2);
  d.close();
});

test('groupByKey does not repartition; records with null keys or values are not aggregated', () => {
  const d = driverFor((b) => {
    b.stream<string, string>('in', str)
      .groupByKey()
      .count({ name: 'c' })
      .toStream()
      .to('out', { keySerde: S, valueSerde: L });
  });
  const input = d.createInputTopic('in', S, S);
  input.pipeInput('a', 'x');
  input.pipeInput(null, 'x');
  input.pipeInput('a', null);
  input.pipeInput('a', 'y');
  assert.ok(![...d.producedTopicNames()].some((t) => t.endsWith('-repartition')));
  assert.deepEqual(d.createOutputTopic('out', S, L).readValuesToList(), [1, 2]);
  d.close();
});

test('tumbling window count with grace: out-of-order records within grace update their window, later ones are dropped and counted', () => {
  const d = driverFor((b) => {
    b.stream<string, string>('clicks', str)
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10_000, 5_000))
      .count({ name: 'per-10s' })
      .toStream()
      .map<string, number>((w: Windowed<string>, n) => [`${w.key}@${w.window.start}`, n])
      .to('out', { keySerde: S, valueSerde: L });
  });
  const input = d.createInputTopic('clicks', S, S);
  input.pipeInput('u', 'x', 1_000); // window 0
  input.pipeInput('u', 'x', 12_000); // window 10000, stream time 12000
  input.pipeInput('u', 'x', 9_000); // late but within grace (close = 12000-5000 = 7000 < 10000): window 0 -> 2
  input.pipeInput('u', 'x', 16_000); // stream time 16000, close time 11000: window 0 closed
  input.pipeInput('u', 'x', 2_000); // too late: dropped
  assert.deepEqual(d.createOutputTopic('out', S, L).readKeyValuesToList(), [
    { key: 'u@0', value: 1 },
    { key: 'u@10000', value: 1 },
    { key: 'u@0', value: 2 },
    { key: 'u@10000', value: 2 },
  ]);
  assert.equal(d.metrics().droppedRecordsTotal, 1);
  assert.equal(d.getWindowStore<string, number>('per-10s').fetch('u', 0), 2);
  d.close();
});

test('hopping windows: a record counts in every window that contains it', () => {
  const d = driverFor((b) => {
    b.stream<string, string>('in', str)
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(300_000).advanceBy(60_000))
      .count()
      .toStream()
      .to('out', { keySerde: WindowedSerdes.timeWindowedSerdeFrom(S, 300_000), valueSerde: L });
  });
  d.createInputTopic('in', S, S).pipeInput('acct', 'fail', 250_000);
  const out = d
    .createOutputTopic('out', WindowedSerdes.timeWindowedSerdeFrom(S, 300_000), L)
    .readKeyValuesToList();
  assert.deepEqual(
    out.map((kv) => [kv.key!.window.start, kv.key!.window.end, kv.value]),
    [
      [0, 300_000, 1],
      [60_000, 360_000, 1],
      [120_000, 420_000, 1],
      [180_000, 480_000, 1],
      [240_000, 540_000, 1],
    ],
  );
  d.close();
});

test('sliding windows aggregate records within the time difference', () => {
  const d = driverFor((b) => {
    b.stream<string, string>('in', str)
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10))
      .count({ name: 'sliding' })
      .toStream()
      .map<string, number>((w: Windowed<string>, n) => [`${w.window.start}-${w.window.end}`, n])
      .to('out', { keySerde: S, valueSerde: L });
  });
  const input = d.createInputTopic('in', S, S);
  input.pipeInput('k', 'a', 100);
  input.pipeInput('k', 'b', 105);
  input.pipeInput('k', 'c', 120);
  const m = d.createOutputTopic('out', S, L).readKeyValuesToMap();
  assert.equal(m.get('90-100'), 1); // window ending at the first record
  assert.equal(m.get('95-105'), 2); // both records
  assert.equal(m.get('101-111'), 1); // right window of the first record: only the second
  assert.equal(m.get('110-120'), 1);
  d.close();
});

test('session windows merge records closer than the gap and emit tombstones for merged sessions', () => {
  const d = driverFor((b) => {
    b.stream<string, string>('in', str)
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(100, 1_000))
      .count({ name: 'sessions' })
      .toStream()
      .map<string, string>((w: Windowed<string>, n) => [
        `${w.window.start}-${w.window.end}`,
        n === null ? 'deleted' : String(n),
      ])
      .to('out', { keySerde: S, valueSerde: S });
  });
  const input = d.createInputTopic('in', S, S);
  input.pipeInput('k', 'a', 0);
  input.pipeInput('k', 'b', 500);
  input.pipeInput('k', 'c', 80); // joins session [0,0] -> [0,80]
  input.pipeInput('k', 'd', 250); // separate
  input.pipeInput('k', 'e', 170); // bridges [0,80] and [250,250] -> [0,250]
  const out = d.createOutputTopic('out', S, S).readKeyValuesToList();
  assert.deepEqual(out.at(-1), { key: '0-250', value: '4' });
  assert.ok(out.some((kv) => kv.key === '0-80' && kv.value === 'deleted'));
  assert.deepEqual(
    d
      .getSessionStore<string, number>('sessions')
      .fetch('k')
      .map((s) => [s.key.window.start, s.key.window.end, s.value]),
    [
      [0, 250, 4],
      [500, 500, 1],
    ],
  );
  d.close();
});

test('suppress(untilWindowCloses) emits one final result per window after window end + grace', () => {
  const d = driverFor((b) => {
    b.stream<string, string>('views', str)
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(3_600_000, 60_000))
      .count({ name: 'hourly' })
      .suppress(Suppressed.untilWindowCloses())
      .toStream()
      .map<string, number>((w: Windowed<string>, n) => [`${w.key}@${w.window.start}`, n])
      .to('final', { keySerde: S, valueSerde: L });
  });
  const input = d.createInputTopic('views', S, S);
  const out = d.createOutputTopic('final', S, L);
  input.pipeInput('alice', 'p1', 1_000);
  input.pipeInput('alice', 'p2', 2_000);
  input.pipeInput('bob', 'p1', 3_000);
  input.pipeInput('alice', 'p3', 3_650_000); // next hour; hour 0 is not closed until 3,660,000
  assert.equal(out.getQueueSize(), 0);
  input.pipeInput('carol', 'p1', 3_640_000); // out of order in the current hour
  input.pipeInput('alice', 'p4', 3_660_000); // stream time reaches end + grace of hour 0
  assert.deepEqual(out.readKeyValuesToList(), [
    { key: 'alice@0', value: 2 },
    { key: 'bob@0', value: 1 },
  ]);
  d.close();
});

test('tables: table(topic), filter, mapValues, toStream with deletes, groupBy with subtractor', () => {
  const d = driverFor((b) => {
    const users = b.table<string, string>('users', str, { name: 'users-store' });
    users
      .filter((_k, v) => v !== 'banned')
      .mapValues((v) => v.toUpperCase())
      .toStream()
      .to('active', { keySerde: S, valueSerde: S });
    users
      .groupBy((_k, region) => [region, '1'] as const, { keySerde: S, valueSerde: S })
      .count({ name: 'per-region' })
      .toStream()
      .to('regions', { keySerde: S, valueSerde: L });
  });
  const input = d.createInputTopic('users', S, S);
  input.pipeInput('u1', 'eu');
  input.pipeInput('u2', 'us');
  input.pipeInput('u1', 'us'); // moves: eu -1, us +1
  input.pipeInput('u2', 'banned');
  input.pipeInput('u1', null); // delete
  assert.deepEqual(d.createOutputTopic('active', S, S).readKeyValuesToList(), [
    { key: 'u1', value: 'EU' },
    { key: 'u2', value: 'US' },
    { key: 'u1', value: 'US' },
    { key: 'u2', value: null },
    { key: 'u1', value: null },
  ]);
  const regions = d.createOutputTopic('regions', S, L).readKeyValuesToMap();
  assert.equal(regions.get('eu'), 0);
  assert.equal(regions.get('us'), 0);
  assert.equal(regions.get('banned'), 1);
  assert.equal(d.getKeyValueStore<string, string>('users-store').get('u1'), null);
  d.close();
});

test('stream-stream joins within the window: inner, left and outer (unmatched emitted when the window closes)', () => {
  const windows = JoinWindows.ofTimeDifferenceAndGrace(100, 0);
  const d = driverFor((b) => {
    const left = b.stream<string, string>('left', str);
    const right = b.stream<string, string>('right', str);
    left.join(right, (l, r) => `${l}+${r}`, windows).to('inner', { keySerde: S, valueSerde: S });
    left
      .leftJoin(right, (l, r) => `${l}+${r ?? 'null'}`, windows)
      .to('left-out', { keySerde: S, valueSerde: S });
    left
      .outerJoin(right, (l, r) => `${l ?? 'null'}+${r ?? 'null'}`, windows)
      .to('outer', { keySerde: S, valueSerde: S });
  });
  const l = d.createInputTopic('left', S, S);
  const r = d.createInputTopic('right', S, S);
  l.pipeInput('k', 'L1', 1_000);
  r.pipeInput('k', 'R1', 1_050); // joins L1
  l.pipeInput('j', 'L2', 1_100); // no partner
  r.pipeInput('z', 'R2', 1_150); // no partner
  r.pipeInput('k', 'R3', 1_500); // too far from L1
  l.pipeInput('x', 'L3', 2_000); // advances stream time: L2, R2, R3 windows close
  assert.deepEqual(d.createOutputTopic('inner', S, S).readValuesToList(), ['L1+R1']);
  assert.deepEqual(d.createOutputTopic('left-out', S, S).readValuesToList(), ['L1+R1', 'L2+null']);
  assert.deepEqual(
    d.createOutputTopic('outer', S, S).readValuesToList().sort(),
    ['L1+R1', 'L2+null', 'null+R2', 'null+R3'].sort(),
  );
  d.close();
});

test('stream-table and stream-globalTable joins (inner and left)', () => {
  const J = Serdes.JSON<{ name: string; tier: string }>();
  const d = driverFor((b) => {
    const customers = b.table<string, { name: string; tier: string }>('customers', {
      keySerde: S,
      valueSerde: J,
    });
    const global = b.globalTable<string, { name: string; tier: string }>('customers-global', {
      keySerde: S,
      valueSerde: J,
    });
    const orders = b.stream<string, string>('orders', str);
    orders.join(customers, (o, c) => `${o} for ${c.name}`).to('joined', { keySerde: S, valueSerde: S });
    orders
      .leftJoin(customers, (o, c) => `${o} for ${c?.name ?? '?'}`)
      .to('left-joined', { keySerde: S, valueSerde: S });
    orders
      .join(
        global,
        (_k, v) => v.split(':')[0]!,
        (o, c) => `${o} (${c.tier})`,
      )
      .to('global-joined', { keySerde: S, valueSerde: S });
  });
  d.createInputTopic('customers', S, J).pipeInput('c1', { name: 'Ada', tier: 'gold' });
  d.createInputTopic('customers-global', S, J).pipeInput('c1', { name: 'Ada', tier: 'gold' });
  const orders = d.createInputTopic('orders', S, S);
  orders.pipeInput('c1', 'c1:order-1');
  orders.pipeInput('c2', 'c2:order-2');
  assert.deepEqual(d.createOutputTopic('joined', S, S).readValuesToList(), ['c1:order-1 for Ada']);
  assert.deepEqual(d.createOutputTopic('left-joined', S, S).readValuesToList(), [
    'c1:order-1 for Ada',
    'c2:order-2 for ?',
  ]);
  assert.deepEqual(d.createOutputTopic('global-joined', S, S).readValuesToList(), ['c1:order-1 (gold)']);
  d.close();
});

test('table-table joins: inner, left and outer follow updates and deletes of both sides', () => {
  const d = driverFor((b) => {
    const a = b.table<string, string>('a', str);
    const c = b.table<string, string>('b', str);
    a.join(c, (x, y) => `${x}${y}`)
      .toStream()
      .to('inner', { keySerde: S, valueSerde: S });
    a.leftJoin(c, (x, y) => `${x}${y ?? '-'}`)
      .toStream()
      .to('left', { keySerde: S, valueSerde: S });
    a.outerJoin(c, (x, y) => `${x ?? '-'}${y ?? '-'}`)
      .toStream()
      .to('outer', { keySerde: S, valueSerde: S });
  });
  const ta = d.createInputTopic('a', S, S);
  const tb = d.createInputTopic('b', S, S);
  ta.pipeInput('k', 'A1');
  tb.pipeInput('k', 'B1');
  ta.pipeInput('k', 'A2');
  tb.pipeInput('k', null);
  assert.deepEqual(d.createOutputTopic('inner', S, S).readValuesToList(), ['A1B1', 'A2B1', null]);
  assert.deepEqual(d.createOutputTopic('left', S, S).readValuesToList(), ['A1-', 'A1B1', 'A2B1', 'A2-']);
  assert.deepEqual(d.createOutputTopic('outer', S, S).readValuesToList(), ['A1-', 'A1B1', 'A2B1', 'A2-']);
  d.close();
});

test('repartition() and toTable()', () => {
  const d = driverFor((b) => {
    b.stream<string, string>('in', str)
      .selectKey((_k, v) => v)
      .repartition({ name: 'by-value', keySerde: S, valueSerde: S, numberOfPartitions: 3 })
      .toTable({ name: 'latest', keySerde: S, valueSerde: S })
      .toStream()
      .to('out', { keySerde: S, valueSerde: S });
  });
  d.createInputTopic('in', S, S).pipeInput('k', 'v');
  assert.ok(d.producedTopicNames().has('dsl-test-by-value-repartition'));
  assert.deepEqual(d.createOutputTopic('out', S, S).readKeyValuesToList(), [{ key: 'v', value: 'v' }]);
  assert.equal(d.getKeyValueStore<string, string>('latest').get('v'), 'v');
  d.close();
});

test('without serdes anywhere, types survive repartition topics and stores (the issue example as written)', () => {
  const d = driverFor(
    (b) => {
      b.stream('lines', { keySerde: S, valueSerde: S })
        .flatMapValues((line: string) => line.toLowerCase().split(/\W+/).filter(Boolean))
        .groupBy((_key, word) => word)
        .count({ name: 'counts' })
        .toStream()
        .mapValues((n) => String(n))
        .to('word-counts', { keySerde: S, valueSerde: S });
    },
    { 'application.id': 'wordcount' },
  );
  const input = d.createInputTopic('lines', S, S);
  input.pipeInput(null, 'Hello world, hello');
  assert.deepEqual(
    [...d.createOutputTopic('word-counts', S, S).readKeyValuesToMap()],
    [
      ['hello', '2'],
      ['world', '1'],
    ],
  );
  assert.ok(d.producedTopicNames().has('wordcount-counts-repartition'));
  assert.equal(d.getKeyValueStore<string, number>('counts').get('hello'), 2);
  d.close();
});
