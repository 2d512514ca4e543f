/**
 * archive-replay: a day of orders archived to Parquet, a bug found in the revenue report, the bug
 * fixed, and the day replayed from the archive into a new topic and processed again.
 *
 *   order service ──► topic `orders` ──► archive sink ──► <dir>/archive/orders/partition=N/.../hour=HH/*.parquet
 *                          │
 *                          └─► streams app revenue-v1 (the bug: EUR amounts counted as USD) ──► `revenue-v1`
 *
 *   then:  npx samsa archive:replay --path <dir>/archive --topic orders --to orders-replayed
 *          orders-replayed ──► streams app revenue-v2 (fixed: EUR converted) ──► `revenue-v2`
 *
 *   npx samsa demo archive-replay [--duration 30]
 *
 * The day is simulated: one second of load is 20 minutes of yesterday (a whole day takes 72 s; with
 * --duration the day ends early). Records keep yesterday's timestamps, so the archive is laid out by
 * yesterday's hours and the replay keeps them.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Consumer, Producer, stringDeserializers } from '@platformatic/kafka';
import { KafkaStreams, Serdes, StreamsBuilder } from 'samsa/streams';
import { ensureTopics, putConnectors, startPlatform } from '../demo-kit/platform.ts';
import { runDemo } from '../demo-kit/run-demo.ts';

const SAMSA = join(import.meta.dirname, '../../bin/samsa.js');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SIMULATED_MS_PER_SECOND = 20 * 60_000;
const ORDERS_PER_SECOND = 200;
const EUR_TO_USD = 1.1;

interface Order {
  id: number;
  customer: string;
  amountCents: number;
  currency: 'USD' | 'EUR';
  at: string;
}

const usdCents = (o: Order): number =>
  o.currency === 'EUR' ? Math.round(o.amountCents * EUR_TO_USD) : o.amountCents;

/** Revenue per hour of the day, in US cents: `convert` is where v1 and v2 differ. */
function revenueApp(
  bootstrap: string,
  dir: string,
  version: string,
  input: string,
  convert: (o: Order) => number,
) {
  const builder = new StreamsBuilder();
  builder
    .stream(input, { keySerde: Serdes.String(), valueSerde: Serdes.JSON<Order>() })
    .groupBy((_customer, order) => order.at.slice(0, 13)) // "2026-05-21T14"
    .aggregate(
      () => 0,
      (_hour, order, total) => total + convert(order),
      {
        name: `revenue-${version}-store`,
        valueSerde: Serdes.Long(),
      },
    )
    .toStream()
    .mapValues((cents) => String(cents))
    .to(`revenue-${version}`, { keySerde: Serdes.String(), valueSerde: Serdes.String() });
  return new KafkaStreams(
    builder.build(),
    {
      'application.id': `revenue-${version}`,
      'bootstrap.servers': bootstrap,
      'state.dir': join(dir, 'streams-state'),
      'commit.interval.ms': 500,
    },
    { handleSignals: false }, // the demo closes it in order on Ctrl-C
  );
}

await runDemo('archive-replay', async (demo) => {
  const platform = await startPlatform({ dataDir: join(demo.dir, 'samsa'), ...demo.given });
  demo.onStop(() => platform.stop());
  demo.log(`Samsa on ${platform.bootstrap}, Connect on ${platform.connectUrl}`);
  await ensureTopics(platform.bootstrap, [
    { name: 'orders', partitions: 3 },
    { name: 'orders-replayed', partitions: 3 },
    { name: 'revenue-v1', partitions: 1 },
    { name: 'revenue-v2', partitions: 1 },
  ]);
  const archive = join(demo.dir, 'archive');
  const v1 = revenueApp(platform.bootstrap, demo.dir, 'v1', 'orders', (o) => o.amountCents); // the bug
  demo.onStop(() => v1.close());
  await Promise.all([
    v1.start(),
    putConnectors(platform, {
      'orders-archive': {
        'connector.class': 'samsa.connect.archive.ArchiveSinkConnector',
        topics: 'orders',
        'archive.path': archive,
        'format.class': 'parquet',
        'flush.size': '10000',
        'rotate.schedule.interval.ms': '2000',
        'key.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
        'value.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
      },
    }),
  ]);
  demo.log('connector orders-archive and streams app revenue-v1 running');
  demo.log(`watch the orders:   npx samsa topics:tail orders --bootstrap ${platform.bootstrap}`);
  demo.log(`list the archive:   npx samsa archive:ls --path ${archive}`);

  // 1. Yesterday, simulated: orders with yesterday's timestamps.
  const producer = new Producer({
    clientId: 'order-service',
    bootstrapBrokers: [platform.bootstrap],
    acks: -1,
  });
  demo.onStop(() => producer.close());
  const yesterday = Math.floor(Date.now() / DAY) * DAY - DAY;
  const expectedByHour = new Map<string, number>();
  let orders = 0;
  const started = Date.now();
  demo.generating(`replaying yesterday's order flow: ${ORDERS_PER_SECOND} orders/s, 1 s = 20 min of the day`);
  let lastHour = '';
  for (;;) {
    const simulated = ((Date.now() - started) / 1000) * SIMULATED_MS_PER_SECOND;
    if (demo.stopping.aborted || simulated >= DAY) break;
    const batch: Order[] = [];
    for (let i = 0; i < ORDERS_PER_SECOND / 10; i++) {
      const at = new Date(yesterday + simulated + i);
      batch.push({
        id: orders++,
        customer: `c-${Math.floor(Math.random() * 500)}`,
        amountCents: 500 + Math.floor(Math.random() * 20_000),
        currency: Math.random() < 0.3 ? 'EUR' : 'USD',
        at: at.toISOString(),
      });
    }
    await producer.send({
      messages: batch.map((o) => ({
        topic: 'orders',
        key: Buffer.from(o.customer),
        value: Buffer.from(JSON.stringify(o)),
        timestamp: BigInt(Date.parse(o.at)),
      })),
    });
    for (const o of batch)
      expectedByHour.set(o.at.slice(0, 13), (expectedByHour.get(o.at.slice(0, 13)) ?? 0) + usdCents(o));
    const hour = batch[0]!.at.slice(11, 13);
    if (hour !== lastHour) demo.log(`yesterday ${hour}:00 — ${orders} orders so far`);
    lastHour = hour;
    await demo.sleep(100);
  }
  demo.log(`the day is over: ${orders} orders`);

  // 2. The archive holds the day.
  const samsa = async (...args: string[]) =>
    (await promisify(execFile)(process.execPath, [SAMSA, ...args], { maxBuffer: 16 << 20 })).stdout;
  const archived = await demo.waitFor(async () => {
    const parts = JSON.parse(await samsa('archive:ls', '--path', archive, '--json').catch(() => '[]')) as {
      records: number;
      files: number;
    }[];
    const records = parts.reduce((n, p) => n + p.records, 0);
    return records >= orders ? { records, files: parts.reduce((n, p) => n + p.files, 0) } : null;
  }, 30_000);
  if (!archived) throw new Error('the archive did not catch up with the orders');
  demo.log(`archived: ${archived.records} orders in ${archived.files} Parquet files under ${archive}`);

  // 3. The report of v1 is off: it counted EUR as USD.
  const readRevenue = async (topic: string, hours: number): Promise<Map<string, number>> => {
    const consumer = new Consumer({
      clientId: 'revenue-reader',
      groupId: `revenue-reader-${topic}-${Date.now()}`,
      bootstrapBrokers: [platform.bootstrap],
      deserializers: stringDeserializers,
    });
    const latest = new Map<string, number>();
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
    const expected = (): boolean =>
      latest.size >= hours && [...expectedByHour.keys()].every((h) => latest.has(h));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000); // quiet for 5 s: the last values are in
      let quiet = timer;
      stream.on('data', (m) => {
        latest.set(m.key, Number(m.value));
        clearTimeout(quiet);
        quiet = setTimeout(resolve, expected() ? 1_500 : 5_000);
      });
    });
    await stream.close();
    await consumer.close();
    return latest;
  };
  const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const expectedTotal = sum(expectedByHour);
  const dollars = (cents: number): string => `$${(cents / 100).toFixed(2)}`;
  const v1Revenue = await readRevenue('revenue-v1', expectedByHour.size);
  demo.log(
    `revenue-v1 says ${dollars(sum(v1Revenue))} for the day; the orders add up to ${dollars(expectedTotal)}`,
  );

  // 4. The fix, and the day replayed from the archive into a new topic.
  demo.log(`bug found: EUR amounts were counted as USD. Replaying the day:`);
  demo.log(`  npx samsa archive:replay --path ${archive} --topic orders --to orders-replayed`);
  const replayOut = await samsa(
    'archive:replay',
    ...['--path', archive, '--topic', 'orders', '--to', 'orders-replayed', '--bootstrap', platform.bootstrap],
  );
  for (const line of replayOut.trim().split('\n')) demo.log(`  ${line}`);
  const v2 = revenueApp(platform.bootstrap, demo.dir, 'v2', 'orders-replayed', usdCents);
  demo.onStop(() => v2.close());
  await v2.start();
  demo.log('streams app revenue-v2 (fixed) processing orders-replayed');
  const v2Revenue = await readRevenue('revenue-v2', expectedByHour.size);
  const hoursRight = [...expectedByHour].filter(([h, cents]) => v2Revenue.get(h) === cents).length;
  demo.log(`revenue-v2 says ${dollars(sum(v2Revenue))}`);
  return {
    'orders (yesterday, simulated)': orders,
    'hours of the day covered': expectedByHour.size,
    'orders archived': archived.records,
    'Parquet files': archived.files,
    'revenue v1 (bug) cents': sum(v1Revenue),
    'revenue v2 (replayed, fixed) cents': sum(v2Revenue),
    'revenue expected cents': expectedTotal,
    'hours right after the replay': `${hoursRight} of ${expectedByHour.size}`,
    'archive directory': archive,
  };
});
