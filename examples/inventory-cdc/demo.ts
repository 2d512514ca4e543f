/**
 * inventory-cdc: a shop's inventory table in PostgreSQL, its changes captured (CDC) and fanned out to
 * a search index, a Redis cache and a CDN purge endpoint. An item that sells out is marked
 * `out_of_stock`, never deleted, so search shows it as unavailable and its cache entry stays.
 *
 *   PostgreSQL public.inventory ──(CDC source, Debezium format)──► topic `shop.public.inventory`
 *        ▲ load: sales, restocks,                                   │
 *        │ price changes                 ┌──────────────────────────┼───────────────────────────┐
 *                                        ▼                          ▼                           ▼
 *                              HTTP sink → search service   Redis sink → HASH item:<sku>   HTTP sink → CDN
 *                              POST /index (bulk upsert)                                   POST /purge/<sku>
 *
 *   npx samsa demo inventory-cdc [--duration 30]
 *
 * Each sink unwraps the change event (ExtractNewRecordState) and keys it by SKU (ExtractField$Key).
 * Redis is skipped, with a note, when no redis-server is installed.
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ensureTopics, putConnectors, startPlatform } from '../demo-kit/platform.ts';
import { runDemo } from '../demo-kit/run-demo.ts';
import { dropReplicationSlot, startHttpService, startPostgres, startRedis } from '../demo-kit/services.ts';

const ITEMS = 100;
const CHANGES_PER_SECOND = 50;
const TOPIC = 'shop.public.inventory';

interface Item {
  sku: string;
  name: string;
  price_cents: number;
  stock: number;
  status: 'in_stock' | 'out_of_stock';
}

/** The transforms every sink applies: the row after the change, keyed by its SKU. */
const UNWRAP = {
  transforms: 'unwrap,sku',
  'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
  'transforms.sku.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
  'transforms.sku.field': 'sku',
};

await runDemo('inventory-cdc', async (demo) => {
  // 1. The downstream systems: a search service, a CDN purge endpoint, a Redis cache.
  const index = new Map<string, Item>();
  let indexRequests = 0;
  const search = await startHttpService((req, body, res) => {
    if (req.method === 'POST' && req.url === '/index') {
      for (const doc of JSON.parse(body) as Item[]) index.set(doc.sku, doc);
      indexRequests++;
      return void res.writeHead(200).end('indexed');
    }
    // GET /search?q=word: what a shop front would ask
    const q = new URL(req.url ?? '/', 'http://x').searchParams.get('q') ?? '';
    const hits = [...index.values()].filter((d) => d.name.includes(q)).slice(0, 10);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(hits));
  });
  demo.onStop(() => search.stop());
  const purged = new Map<string, number>();
  const cdn = await startHttpService((req, _body, res) => {
    const sku = decodeURIComponent(req.url?.replace(/^\/purge\//, '') ?? '');
    purged.set(sku, (purged.get(sku) ?? 0) + 1);
    res.writeHead(200).end('purged');
  });
  demo.onStop(() => cdn.stop());

  // On a PostgreSQL of yours, the replication slot goes once Samsa (and the connector) stopped.
  const given = demo.given.postgresUrl;
  if (given) demo.onStop(() => dropReplicationSlot(given, 'inventory_demo'));
  const [platform, postgres, redisServer] = await Promise.all([
    startPlatform({ dataDir: join(demo.dir, 'samsa'), ...demo.given }),
    startPostgres(join(demo.dir, 'postgres'), demo.given.postgresUrl),
    startRedis(demo.given.redisUrl),
  ]);
  demo.onStop(() => platform.stop());
  demo.onStop(() => postgres.stop());
  if (redisServer) demo.onStop(() => redisServer.stop());
  else demo.log('no redis-server installed: the Redis cache is left out (apt install redis-server)');
  demo.log(
    `Samsa on ${platform.bootstrap}, PostgreSQL on ${postgres.url}, Redis on ${redisServer?.url ?? '-'}`,
  );

  // 2. The inventory, seeded (the connector's snapshot picks these up).
  const db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  db.on('error', (err) => demo.log(`PostgreSQL connection lost: ${err.message}`));
  demo.onStop(() => db.end());
  await db.query(`DROP TABLE IF EXISTS inventory;
    CREATE TABLE inventory (sku text PRIMARY KEY, name text NOT NULL, price_cents integer NOT NULL,
      stock integer NOT NULL, status text NOT NULL)`);
  const adjectives = ['red', 'blue', 'green', 'small', 'large', 'vintage', 'smart', 'wooden'];
  const nouns = ['lamp', 'chair', 'mug', 'kettle', 'backpack', 'clock', 'desk', 'speaker'];
  for (let i = 0; i < ITEMS; i++) {
    const name = `${adjectives[i % adjectives.length]} ${nouns[Math.floor(i / adjectives.length) % nouns.length]} ${i}`;
    await db.query("INSERT INTO inventory VALUES ($1, $2, $3, $4, 'in_stock')", [
      `SKU-${String(i).padStart(4, '0')}`,
      name,
      500 + ((i * 37) % 5000),
      1 + (i % 5),
    ]);
  }
  demo.log(`table inventory seeded with ${ITEMS} items`);

  // 3. The connectors: CDC source, then the three sinks.
  await ensureTopics(platform.bootstrap, [{ name: TOPIC, partitions: 3 }]);
  const pgUrl = new URL(postgres.url);
  const json = {
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  };
  await putConnectors(platform, {
    'inventory-cdc': {
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'database.hostname': pgUrl.hostname,
      'database.port': pgUrl.port,
      'database.user': decodeURIComponent(pgUrl.username),
      'database.password': decodeURIComponent(pgUrl.password),
      'database.dbname': pgUrl.pathname.slice(1),
      'topic.prefix': 'shop',
      'plugin.name': 'pgoutput',
      'slot.name': 'inventory_demo',
      'publication.name': 'inventory_demo',
      'publication.autocreate.mode': 'filtered',
      'table.include.list': 'public.inventory',
      ...json,
    },
    'inventory-search': {
      'connector.class': 'samsa.connect.http.HttpSinkConnector',
      topics: TOPIC,
      'http.api.url': `${search.url}/index`,
      'request.body.format': 'json',
      'batch.json.as.array': 'true',
      'batch.max.size': '500',
      'batch.linger.ms': '100',
      ...json,
      ...UNWRAP,
    },
    'inventory-cdn-purge': {
      'connector.class': 'samsa.connect.http.HttpSinkConnector',
      topics: TOPIC,
      'http.api.url': `${cdn.url}/purge/\${key}`,
      'request.body.format': 'json',
      'batch.linger.ms': '100',
      ...json,
      ...UNWRAP,
    },
    ...(redisServer
      ? {
          'inventory-cache': {
            'connector.class': 'samsa.connect.redis.RedisSinkConnector',
            topics: TOPIC,
            'redis.uri': redisServer.url,
            'redis.type': 'HASH',
            'redis.keyspace': 'item',
            ...json,
            ...UNWRAP,
          },
        }
      : {}),
  });
  demo.log('connectors inventory-cdc, inventory-search, inventory-cdn-purge, inventory-cache running');
  demo.log(`change events:  npx samsa topics:tail ${TOPIC} --bootstrap ${platform.bootstrap}`);
  demo.log(`search:         curl '${search.url}/search?q=lamp'`);
  if (redisServer) demo.log(`cache:          redis-cli -u ${redisServer.url} HGETALL item:SKU-0001`);
  demo.log(`the table:      psql ${postgres.url} -c 'SELECT * FROM inventory ORDER BY sku LIMIT 5'`);

  // 4. Load: sales (an item that reaches 0 is marked out_of_stock), restocks, price changes.
  let sales = 0;
  let restocks = 0;
  let priceChanges = 0;
  let soldOut = 0;
  const report = setInterval(() => {
    demo.log(
      `sales ${sales}, sold out ${soldOut}, restocks ${restocks}, price changes ${priceChanges} | search docs ${index.size} (${indexRequests} bulk requests) | CDN purges ${[...purged.values()].reduce((a, b) => a + b, 0)}`,
    );
  }, 5_000);
  demo.onStop(() => clearInterval(report));
  demo.generating(`changing ${CHANGES_PER_SECOND} inventory rows/s`);
  while (!demo.stopping.aborted) {
    for (let i = 0; i < CHANGES_PER_SECOND / 10; i++) {
      const sku = `SKU-${String(Math.floor(Math.random() * ITEMS)).padStart(4, '0')}`;
      const dice = Math.random();
      if (dice < 0.7) {
        const { rows } = await db.query<{ stock: number }>(
          `UPDATE inventory SET stock = stock - 1,
             status = CASE WHEN stock - 1 = 0 THEN 'out_of_stock' ELSE status END
           WHERE sku = $1 AND stock > 0 RETURNING stock`,
          [sku],
        );
        if (rows[0]) {
          sales++;
          if (rows[0].stock === 0) soldOut++;
        }
      } else if (dice < 0.85) {
        await db.query("UPDATE inventory SET stock = stock + 5, status = 'in_stock' WHERE sku = $1", [sku]);
        restocks++;
      } else {
        await db.query('UPDATE inventory SET price_cents = price_cents + 100 WHERE sku = $1', [sku]);
        priceChanges++;
      }
    }
    await demo.sleep(100);
  }

  // 5. Stopped: wait until search and cache match the table, then compare.
  demo.log('load stopped; waiting for the search index and the cache to match the table');
  const redis = redisServer ? new Redis(redisServer.url, { lazyConnect: true }) : null;
  await redis?.connect();
  demo.onStop(() => void redis?.disconnect());
  const table = async (): Promise<Item[]> =>
    (await db.query<Item>('SELECT * FROM inventory ORDER BY sku')).rows;
  const same = (a: Item, b: Partial<Record<keyof Item, unknown>> | undefined): boolean =>
    b !== undefined &&
    String(a.stock) === String(b.stock) &&
    a.status === b.status &&
    String(a.price_cents) === String(b.price_cents);
  const compare = async () => {
    const rows = await table();
    const searchOk = rows.filter((r) => same(r, index.get(r.sku))).length;
    let cacheOk = 0;
    if (redis)
      for (const r of rows) if (same(r, (await redis.hgetall(`item:${r.sku}`)) as Partial<Item>)) cacheOk++;
    return { rows, searchOk, cacheOk };
  };
  const final = await demo.waitFor(async () => {
    const c = await compare();
    return c.searchOk === c.rows.length && (!redis || c.cacheOk === c.rows.length) ? c : null;
  });
  const last = final ?? (await compare());
  clearInterval(report);
  const outOfStock = last.rows.filter((r) => r.status === 'out_of_stock');
  return {
    'inventory rows': last.rows.length,
    'out-of-stock rows (kept, marked)': outOfStock.length,
    'sales / restocks / price changes': `${sales} / ${restocks} / ${priceChanges}`,
    'search docs matching the table': last.searchOk,
    'search docs marked out_of_stock': [...index.values()].filter((d) => d.status === 'out_of_stock').length,
    'Redis hashes matching the table': redis ? last.cacheOk : 'no Redis',
    'SKUs purged from the CDN': purged.size,
    'CDN purge requests': [...purged.values()].reduce((a, b) => a + b, 0),
    'everything matches the table': final ? 'yes' : 'no (still catching up)',
  };
});
