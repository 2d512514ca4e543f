/**
 * `samsa demo inventory-cdc` end to end against a PostgreSQL and a redis-server of the test's own:
 * after a few seconds of sales, restocks and price changes, every row of the inventory table is in
 * Redis as it is in the table, sold-out items are marked there and in the table (not deleted), and
 * the demo's search index and CDN purge endpoint saw every SKU.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { redisAvailable, startRedis, type TestRedis } from '../helpers/redis-server.ts';
import { runDemo, summaryNumber } from './helpers.ts';

let pg: TestPostgres;
let redis: TestRedis | undefined;
let tmp: string;

before(async () => {
  [pg, redis] = await Promise.all([startPostgres(), redisAvailable() ? startRedis() : undefined]);
  tmp = mkdtempSync(join(tmpdir(), 'samsa-demo-inventory-'));
});

after(async () => {
  await Promise.all([pg.stop(), redis?.stop()]);
  rmSync(tmp, { recursive: true, force: true });
});

test('inventory changes reach the cache, the search index and the CDN; sold-out items are marked, not deleted', async (t) => {
  if (!redis) return t.skip('redis-server is not installed');
  await pg.createDatabase('shop');
  const out = await runDemo('inventory-cdc', [
    ...['--duration', '3', '--data-dir', join(tmp, 'demo')],
    ...['--postgres-url', pg.url('shop'), '--redis-url', redis.uri],
  ]);
  assert.match(out, /everything matches the table\s+yes/);
  assert.equal(summaryNumber(out, 'search docs matching the table'), 100);
  assert.equal(summaryNumber(out, 'SKUs purged from the CDN'), 100);

  const rows = await pg.query<{
    sku: string;
    name: string;
    price_cents: number;
    stock: number;
    status: string;
  }>('SELECT * FROM inventory ORDER BY sku', [], 'shop');
  assert.equal(rows.length, 100, 'nothing deleted');
  const soldOut = rows.filter((r) => r.status === 'out_of_stock');
  assert.ok(soldOut.length > 0, 'some items sold out during the run');
  assert.ok(soldOut.every((r) => r.stock === 0));
  assert.equal(summaryNumber(out, 'out-of-stock rows (kept, marked)'), soldOut.length);

  assert.deepEqual(
    await pg.query('SELECT slot_name FROM pg_replication_slots'),
    [],
    'the demo dropped its slot',
  );

  const client = new Redis(redis.uri);
  try {
    assert.equal((await client.keys('item:*')).length, 100);
    for (const r of rows) {
      const cached = await client.hgetall(`item:${r.sku}`);
      assert.deepEqual(
        { ...cached },
        {
          sku: r.sku,
          name: r.name,
          price_cents: String(r.price_cents),
          stock: String(r.stock),
          status: r.status,
        },
        r.sku,
      );
    }
  } finally {
    client.disconnect();
  }
});
