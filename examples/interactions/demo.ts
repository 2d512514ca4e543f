/**
 * interactions: a web shop's item pages → events → hourly views per user in PostgreSQL, and every
 * raw event archived to Parquet.
 *
 *   Express app (samsa/emit middleware)  ──►  topic `interactions` (CloudEvents, keyed by user)
 *      │                                          │                     │
 *      │ load: virtual users GET /items/:id       │ streams app          │ archive sink
 *      ▼                                          ▼                     ▼
 *                                    `views-per-hour` (tumbling   <dir>/archive/interactions/...parquet
 *                                    1 h window, 10 min grace)
 *                                                 │ PostgreSQL sink (upsert)
 *                                                 ▼
 *                                    table views_per_hour (user_id, hour_start, views)
 *
 *   npx samsa demo interactions [--duration 30]
 *
 * Every request gives two events: the handler's `item.viewed` and the middleware's `http.request`.
 * The streams app counts `item.viewed` per user and hour and writes each new count; the sink upserts
 * it, so the table always holds the latest count of each user's hour.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import express from 'express';
import pg from 'pg';
import { createEmitter, expressMiddleware } from 'samsa/emit';
import { KafkaStreams, KeyValue, Serdes, StreamsBuilder, TimeWindows, type Windowed } from 'samsa/streams';
import { ensureTopics, putConnectors, startPlatform } from '../demo-kit/platform.ts';
import { runDemo } from '../demo-kit/run-demo.ts';
import { startPostgres } from '../demo-kit/services.ts';

const HOUR = 3_600_000;
const USERS = 50;
const ITEMS = 200;
const REQUESTS_PER_SECOND = 200;
const SAMSA = join(import.meta.dirname, '../../bin/samsa.js');

interface ItemViewed {
  itemId: string;
}

await runDemo('interactions', async (demo) => {
  const [platform, postgres] = await Promise.all([
    startPlatform({ dataDir: join(demo.dir, 'samsa'), ...demo.given }),
    startPostgres(join(demo.dir, 'postgres'), demo.given.postgresUrl),
  ]);
  demo.onStop(() => platform.stop());
  demo.onStop(() => postgres.stop());
  demo.log(
    `Samsa on ${platform.bootstrap}, Connect on ${platform.connectUrl}, PostgreSQL on ${postgres.url}`,
  );

  // The table the sink upserts into.
  const db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  db.on('error', (err) => demo.log(`PostgreSQL connection lost: ${err.message}`));
  demo.onStop(() => db.end());
  await db.query(`CREATE TABLE IF NOT EXISTS views_per_hour (
    user_id text NOT NULL, hour_start timestamptz NOT NULL, views bigint NOT NULL,
    PRIMARY KEY (user_id, hour_start))`);
  await db.query('TRUNCATE views_per_hour');
  demo.log('table views_per_hour ready');

  await ensureTopics(platform.bootstrap, [
    { name: 'interactions', partitions: 3 },
    { name: 'views-per-hour', partitions: 3 },
  ]);

  // 1. The streams app: item views per user per hour, every new count written out.
  const builder = new StreamsBuilder();
  builder
    .stream('interactions', { keySerde: Serdes.String(), valueSerde: Serdes.JSON<Partial<ItemViewed>>() })
    .filter((_user, event) => typeof event?.itemId === 'string')
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(HOUR, 10 * 60_000))
    .count({ name: 'views-hourly' })
    .toStream()
    .map((w: Windowed<string>, views) =>
      KeyValue.pair(
        `${w.key}@${new Date(w.window.start).toISOString()}`,
        JSON.stringify({ user_id: w.key, hour_start: new Date(w.window.start).toISOString(), views }),
      ),
    )
    .to('views-per-hour', { keySerde: Serdes.String(), valueSerde: Serdes.String() });
  const streams = new KafkaStreams(
    builder.build(),
    {
      'application.id': 'interactions-views',
      'bootstrap.servers': platform.bootstrap,
      'state.dir': join(demo.dir, 'streams-state'),
      'commit.interval.ms': 1_000,
    },
    { handleSignals: false }, // the demo closes it in order on Ctrl-C
  );
  demo.onStop(() => streams.close());

  // 2. Connectors: counts → PostgreSQL, raw events → Parquet (started while the streams app starts).
  const archive = join(demo.dir, 'archive');
  await Promise.all([
    streams.start(),
    putConnectors(platform, {
      'views-to-postgres': {
        'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
        'connection.url': postgres.url,
        topics: 'views-per-hour',
        'table.name.format': 'views_per_hour',
        'insert.mode': 'upsert',
        'pk.mode': 'record_value',
        'pk.fields': 'user_id,hour_start',
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
      },
      'interactions-archive': {
        'connector.class': 'samsa.connect.archive.ArchiveSinkConnector',
        topics: 'interactions',
        'archive.path': archive,
        'format.class': 'parquet',
        'flush.size': '5000',
        'rotate.schedule.interval.ms': '2000',
        'key.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
        'value.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
      },
    }),
  ]);
  demo.log('streams app interactions-views and connectors views-to-postgres, interactions-archive running');

  // 3. The web app: the middleware emits `http.request`, the handler `item.viewed`.
  const emitter = createEmitter({
    bootstrap: platform.bootstrap,
    topic: 'interactions',
    source: '/demo/shop',
  });
  const app = express();
  app.use(expressMiddleware(emitter, { user: (req) => req.headers['x-user'] as string | undefined }));
  app.get('/items/:id', (req, res) => {
    const user = req.headers['x-user'] as string;
    req.emitEvent('item.viewed', { itemId: req.params.id }, { key: user });
    res.json({ id: req.params.id, name: `Item ${req.params.id}` });
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const shop = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  demo.onStop(async () => {
    await emitter.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  demo.log(`shop on ${shop}: try  curl -H 'x-user: ada' ${shop}/items/42`);
  demo.log(`watch the events:   npx samsa topics:tail interactions --bootstrap ${platform.bootstrap}`);
  demo.log(`watch the counts:   npx samsa topics:tail views-per-hour --bootstrap ${platform.bootstrap}`);
  demo.log(
    `query the table:    psql ${postgres.url} -c 'SELECT * FROM views_per_hour ORDER BY views DESC LIMIT 5'`,
  );
  demo.log(`list the archive:   npx samsa archive:ls --path ${archive}`);
  demo.generating(`generating ${REQUESTS_PER_SECOND} requests/s from ${USERS} users`);

  // 4. Load: virtual users view random items.
  const viewsByUser = new Map<string, number>();
  let requests = 0;
  let failed = 0;
  const load = async (): Promise<void> => {
    const tick = 50;
    let next = Date.now();
    while (!demo.stopping.aborted) {
      const batch = Math.round((REQUESTS_PER_SECOND * tick) / 1000);
      await Promise.all(
        Array.from({ length: batch }, async () => {
          const user = `user-${Math.floor(Math.random() * USERS)}`;
          const item = Math.floor(Math.random() * ITEMS);
          const response = await fetch(`${shop}/items/${item}`, { headers: { 'x-user': user } }).catch(
            () => null,
          );
          await response?.arrayBuffer();
          if (response?.ok) viewsByUser.set(user, (viewsByUser.get(user) ?? 0) + 1);
          else failed++;
          requests++;
        }),
      );
      next += tick;
      await demo.sleep(Math.max(0, next - Date.now()));
    }
  };
  const tableViews = async (): Promise<{ rows: number; views: number }> => {
    const { rows } = await db.query<{ rows: string; views: string | null }>(
      'SELECT count(*) AS rows, sum(views) AS views FROM views_per_hour',
    );
    return { rows: Number(rows[0]!.rows), views: Number(rows[0]!.views ?? 0) };
  };
  const report = setInterval(async () => {
    const m = emitter.metrics();
    const t = await tableViews().catch(() => ({ rows: 0, views: 0 }));
    demo.log(
      `requests ${requests} | events emitted ${m.emitted}, delivered ${m.delivered}, dropped ${m.dropped} | views_per_hour: ${t.rows} rows, ${t.views} views`,
    );
  }, 5_000);
  demo.onStop(() => clearInterval(report));
  await load();

  // 5. Stopped: let everything catch up, then say what happened.
  demo.log('load stopped; waiting for the table and the archive to catch up');
  await emitter.flush(10_000);
  const viewsSent = [...viewsByUser.values()].reduce((a, b) => a + b, 0);
  const final = await demo.waitFor(async () => {
    const t = await tableViews();
    return t.views >= viewsSent ? t : null;
  });
  const m = emitter.metrics();
  const archived = await demo.waitFor(async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      SAMSA,
      'archive:ls',
      '--path',
      archive,
      '--json',
    ]).catch(() => ({ stdout: '[]' }));
    const n = (JSON.parse(stdout) as { records: number }[]).reduce((a, p) => a + p.records, 0);
    return n >= m.delivered ? { n } : null;
  });
  clearInterval(report);
  return {
    'requests served': requests - failed,
    'item views (item.viewed events)': viewsSent,
    'events delivered to interactions': m.delivered,
    'events dropped': m.dropped,
    'views_per_hour rows': final?.rows ?? 'not caught up',
    'views counted in PostgreSQL': final?.views ?? 'not caught up',
    'events archived to Parquet': archived?.n ?? 'not caught up',
    'archive directory': archive,
    'PostgreSQL table': `${postgres.url} views_per_hour`,
  };
});
