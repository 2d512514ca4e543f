/**
 * Enrichment: orders (a stream, keyed by customer id) joined with customers (a table read from the
 * compacted topic `customers`), written to `orders-enriched`. A customer update changes the
 * enrichment of later orders only — a stream-table join looks the table up as each order arrives.
 *
 *   npx node --conditions=development examples/streams-enrichment/app.ts
 */
import { KafkaStreams, Serdes, StreamsBuilder } from 'samsa/streams';
import { BOOTSTRAP, EXIT_WHEN_DONE, ensureTopics, send, tail } from '../streams-common/kafka.ts';

interface Customer {
  name: string;
  tier: 'gold' | 'silver';
}
interface Order {
  id: string;
  amount: number;
}

await ensureTopics([
  { name: 'customers', partitions: 2, configs: { 'cleanup.policy': 'compact' } },
  { name: 'orders', partitions: 2 },
  { name: 'orders-enriched', partitions: 2 },
]);

const builder = new StreamsBuilder();
const customers = builder.table(
  'customers',
  { keySerde: Serdes.String(), valueSerde: Serdes.JSON<Customer>() },
  { name: 'customers-by-id' },
);
builder
  .stream('orders', { keySerde: Serdes.String(), valueSerde: Serdes.JSON<Order>() })
  .leftJoin(customers, (order, customer) => ({
    ...order,
    customer: customer?.name ?? 'unknown',
    tier: customer?.tier ?? 'none',
    discount: customer?.tier === 'gold' ? 0.1 : 0,
  }))
  .to('orders-enriched', { keySerde: Serdes.String(), valueSerde: Serdes.JSON() });

const app = new KafkaStreams(builder.build(), {
  'application.id': 'enrichment',
  'bootstrap.servers': BOOTSTRAP,
});
await app.start();

const run = Date.now().toString(36);
await send('customers', [
  { key: `c1-${run}`, value: JSON.stringify({ name: 'Ada Lovelace', tier: 'gold' }), timestamp: 0 },
  { key: `c2-${run}`, value: JSON.stringify({ name: 'Grace Hopper', tier: 'silver' }), timestamp: 0 },
]);
// let the table load before the orders arrive
await new Promise((r) => setTimeout(r, 1_500));
await send('orders', [
  { key: `c1-${run}`, value: JSON.stringify({ id: `o1-${run}`, amount: 120 }) },
  { key: `c2-${run}`, value: JSON.stringify({ id: `o2-${run}`, amount: 80 }) },
  { key: `c3-${run}`, value: JSON.stringify({ id: `o3-${run}`, amount: 15 }) },
]);
console.log('orders-enriched:');
let count = 0;
await tail(
  'orders-enriched',
  (customer, order) => `  ${customer.padEnd(14)} ${order}`,
  (seen) => {
    count = [...seen.keys()].filter((k) => k.endsWith(run)).length;
    return EXIT_WHEN_DONE && count >= 3;
  },
);
await app.close();
