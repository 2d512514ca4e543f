/**
 * The Express app of the emit benchmarks, run as its own process: `GET /items/:id` answers a small
 * JSON body. argv[2] is JSON { bootstrap, topic, mode, eventsPerRequest }: mode `plain` (no emitter),
 * `middleware` (expressMiddleware only: one event per request) or `handler` (the middleware plus
 * eventsPerRequest - 1 `req.emitEvent` calls in the handler, each timed with performance.now()).
 * Prints `listening <port>`; a `reset` line on stdin forgets the samples so far (warm-up); on a `stop` line on stdin prints one JSON line (emit() percentiles in
 * microseconds, the emitter's metrics) and exits.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createEmitter, type Emitter, expressMiddleware } from '../../src/emit/index.ts';
import { LatencySamples } from '../lib/percentiles.ts';

interface AppConfig {
  bootstrap: string;
  topic: string;
  mode: 'plain' | 'middleware' | 'handler';
  eventsPerRequest: number;
  lingerMs?: number;
}

const config = JSON.parse(process.argv[2]!) as AppConfig;
const samples = new LatencySamples(2_000_000);
let emitter: Emitter | null = null;
const app = express();
if (config.mode !== 'plain') {
  emitter = createEmitter({
    bootstrap: config.bootstrap,
    topic: config.topic,
    ...(config.lingerMs === undefined ? {} : { lingerMs: config.lingerMs }),
    logger: { warn: () => {}, error: () => {} },
  });
  app.use(expressMiddleware(emitter, { user: (req) => req.headers['x-user'] as string | undefined }));
}
const handlerEmits = config.mode === 'handler' ? config.eventsPerRequest - 1 : 0;
app.get('/items/:id', (req, res) => {
  const user = req.headers['x-user'] as string;
  for (let i = 0; i < handlerEmits; i++) {
    const t0 = performance.now();
    req.emitEvent('item.viewed', { item: req.params.id, user, position: i }, { key: user });
    samples.add((performance.now() - t0) * 1000);
  }
  res.json({ id: req.params.id, ok: true });
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
process.stdin.setEncoding('utf8');
process.stdin.on('data', async (line: string) => {
  if (line.includes('reset')) samples.count = 0; // the warm-up is over
  if (!line.includes('stop')) return;
  const [p50, p99, p999, max] = samples.percentiles([50, 99, 99.9, 100]);
  const flushed = emitter ? await emitter.flush(10_000) : true;
  const metrics = emitter?.metrics() ?? null;
  await emitter?.close();
  server.close();
  process.stdout.write(
    `${JSON.stringify({ emitUs: { count: samples.count, p50, p99, p999, max }, flushed, metrics })}\n`,
  );
  process.exit(0);
});
