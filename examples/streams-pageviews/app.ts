/**
 * Page views per user per hour: a tumbling one-hour window with 10 minutes of grace, suppressed
 * until the window closes (one final count per user and hour goes to `pageviews-per-hour`), and
 * the running counts served over HTTP with interactive queries:
 *
 *   GET http://127.0.0.1:7070/pageviews/<user>   → {"user", "hours": [{"start", "views"}], "servedBy"}
 *
 * A request for a user whose counts live on another instance is forwarded there (the instance is
 * found with queryMetadataForKey and application.server). Run it (PORT picks the HTTP port):
 *
 *   npx node --conditions=development examples/streams-pageviews/app.ts
 */
import { createServer } from 'node:http';
import {
  KafkaStreams,
  KeyValue,
  Serdes,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type Windowed,
} from 'samsa/streams';
import { BOOTSTRAP, EXIT_WHEN_DONE, ensureTopics, send, tail } from '../streams-common/kafka.ts';

const HOUR = 3_600_000;
const PORT = Number(process.env.PORT ?? 7070);
const STORE = 'pageviews-hourly';

await ensureTopics([
  { name: 'pageviews', partitions: 2 },
  { name: 'pageviews-per-hour', partitions: 2 },
]);

const builder = new StreamsBuilder();
builder
  .stream('pageviews', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
  .groupByKey()
  .windowedBy(TimeWindows.ofSizeAndGrace(HOUR, 10 * 60_000))
  .count({ name: STORE, retentionMs: 24 * HOUR }) // hours stay queryable for a day
  .suppress(Suppressed.untilWindowCloses())
  .toStream()
  .map((w: Windowed<string>, views) =>
    KeyValue.pair(`${w.key}@${new Date(w.window.start).toISOString()}`, String(views)),
  )
  .to('pageviews-per-hour', { keySerde: Serdes.String(), valueSerde: Serdes.String() });

const app = new KafkaStreams(builder.build(), {
  'application.id': 'pageviews',
  'bootstrap.servers': BOOTSTRAP,
  'application.server': `127.0.0.1:${PORT}`,
  'state.dir': `${process.env.STATE_DIR ?? '/tmp/kafka-streams'}-${PORT}`,
  'commit.interval.ms': 1_000,
});

const server = createServer(async (req, res) => {
  const match = /^\/pageviews\/([^/?]+)$/.exec(req.url ?? '');
  if (!match) {
    res.writeHead(404).end('try /pageviews/<user>\n');
    return;
  }
  const user = decodeURIComponent(match[1]!);
  try {
    const owner = app.queryMetadataForKey(STORE, user, Serdes.String());
    if (owner && owner.activeHost.port !== PORT) {
      const remote = await fetch(`http://${owner.activeHost.host}:${owner.activeHost.port}${req.url}`);
      res.writeHead(remote.status, { 'content-type': 'application/json' }).end(await remote.text());
      return;
    }
    const hours = app
      .windowStore<string, number>(STORE)
      .fetchRange(user, 0, Date.now())
      .map((w) => ({ start: new Date(w.timestamp).toISOString(), views: w.value }));
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ user, hours, servedBy: `127.0.0.1:${PORT}` }));
  } catch (err) {
    res
      .writeHead(503, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: (err as Error).message }));
  }
});
await new Promise<void>((r) => server.listen(PORT, '127.0.0.1', r));
await app.start();
console.log(`interactive queries: curl http://127.0.0.1:${PORT}/pageviews/<user>`);

// two users three hours ago, then views two hours later close those hours (each partition
// has its own stream time, so both users send one)
const run = Date.now().toString(36);
const hourStart = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const view = (user: string, minute: number, page: string) => ({
  key: `${user}-${run}`,
  value: page,
  timestamp: hourStart + minute * 60_000,
});
await send('pageviews', [
  view('ada', 1, '/'),
  view('ada', 5, '/docs'),
  view('linus', 7, '/'),
  view('ada', 59, '/docs/streams'),
  view('linus', 65, '/pricing'), // next hour
  view('ada', 190, '/'), // stream time moves past the first two hours' end + grace
  view('linus', 191, '/'),
]);
await new Promise((r) => setTimeout(r, 2_000));
const res = await fetch(`http://127.0.0.1:${PORT}/pageviews/ada-${run}`);
console.log(`GET /pageviews/ada-${run} →`, await res.text());
console.log('pageviews-per-hour (final counts, one per user and closed hour):');
await tail(
  'pageviews-per-hour',
  (key, views) => `  ${key.padEnd(40)} ${views}`,
  (seen) =>
    EXIT_WHEN_DONE &&
    [...seen.keys()].some((k) => k.startsWith(`ada-${run}@`)) &&
    [...seen.keys()].some((k) => k.startsWith(`linus-${run}@`)),
);
await app.close();
server.close();
