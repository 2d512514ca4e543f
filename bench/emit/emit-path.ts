/**
 * The CPU the request path itself spends on samsa/emit, without HTTP or a broker (so it is steady
 * on a busy machine):
 *
 *   node bench/emit/emit-path.ts [rounds=7] [n=100000] [other checkout, e.g. /work/main]
 *
 * - `emit()`: `emitter.emit('item.viewed', {...}, { key })`, binary mode (CloudEvent encoding and
 *   the queue push; the emitter points at a closed port with a linger of 10 minutes, so nothing is
 *   sent and nothing else runs, and a 256 KiB buffer evicts its oldest event for each new one);
 * - `middleware`: `expressMiddleware`'s per-request work on real IncomingMessage/ServerResponse
 *   objects: the call, then the response's 'finish' (route, duration, user, the event);
 *   `response only` is the same loop without the middleware, to subtract.
 *
 * Prints CPU ns per call (process.cpuUsage; median and range over the rounds, after one warm-up
 * round) and the JS heap bytes allocated per call in the last round (from the heap's size before
 * and after each garbage collection, v8.GCProfiler): what makes an app's scavenges more frequent. Given another checkout, the same runs against its `src/emit` in the same process, round
 * by round in turn with this one's (so both see the same machine), and the difference.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import type * as EmitModule from '../../src/emit/index.ts';

const rounds = Number(process.argv[2] ?? 7);
const n = Number(process.argv[3] ?? 100_000);
const other = process.argv[4];

type Case = (i: number) => void;

async function cases(mod: typeof EmitModule): Promise<Record<string, Case>> {
  const emitter = mod.createEmitter({
    bootstrap: '127.0.0.1:1',
    topic: 'bench',
    lingerMs: 600_000,
    batchEvents: 1e9,
    batchBytes: 1e12,
    // A small buffer that evicts its oldest event for each new one: events die young, as in an app
    // whose emitter keeps up (holding millions of events would measure the GC instead).
    maxBufferBytes: 256 * 1024,
    policy: 'drop-oldest',
    logger: { warn: () => {}, error: () => {} },
  });
  const users = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
  // Real request/response objects (the middleware only reads them and listens for 'finish').
  const mw = mod.expressMiddleware(emitter, { user: (req) => req.headers['x-user'] as string | undefined });
  const socket = new Socket();
  const reqs = users.slice(0, 64).map((u) => {
    const req = new IncomingMessage(socket) as IncomingMessage & {
      route?: { path: string };
      baseUrl?: string;
      originalUrl?: string;
    };
    req.method = 'GET';
    req.url = '/items/42?x=1';
    req.originalUrl = req.url;
    req.baseUrl = '';
    req.headers = { 'x-user': u };
    req.route = { path: '/items/:id' };
    return req;
  });
  const next = (): void => {};
  return {
    'emit()': (i) => {
      const user = users[i % 1000]!;
      emitter.emit('item.viewed', { item: String(i % 5000), user, position: i % 9 }, { key: user });
    },
    'response only': (i) => {
      const res = new ServerResponse(reqs[i & 63]!);
      res.statusCode = 200;
      res.emit('finish');
    },
    middleware: (i) => {
      const req = reqs[i & 63]!;
      const res = new ServerResponse(req);
      res.statusCode = 200;
      mw(req, res, next);
      res.emit('finish');
    },
  };
}

/** Heap bytes allocated per call in the last round (from the heap sizes around each GC). */
const allocated = new Map<Case, number>();

function round(fn: Case): number {
  const gc = new GCProfiler();
  gc.start();
  const used0 = getHeapStatistics().used_heap_size;
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) fn(i);
  const c = process.cpuUsage(c0);
  const used1 = getHeapStatistics().used_heap_size;
  const stats = gc.stop()?.statistics ?? [];
  let bytes = 0;
  let from = used0;
  for (const g of stats) {
    bytes += g.beforeGC.heapStatistics.usedHeapSize - from;
    from = g.afterGC.heapStatistics.usedHeapSize;
  }
  bytes += used1 - from;
  allocated.set(fn, bytes / n);
  return ((c.user + c.system) * 1000) / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const variants: [string, Record<string, Case>][] = [
  ['this', await cases(await import('../../src/emit/index.ts'))],
];
if (other !== undefined) {
  const url = pathToFileURL(join(other, 'src/emit/index.ts')).href;
  variants.push([other, await cases((await import(url)) as typeof EmitModule)]);
}
const load0 = loadavg()[0]!;
for (const name of Object.keys(variants[0]![1])) {
  const ns = variants.map(() => [] as number[]);
  for (let r = 0; r <= rounds; r++) {
    variants.forEach(([, c], v) => {
      const x = round(c[name]!);
      if (r > 0) ns[v]!.push(x);
    });
  }
  const line = variants.map(([label], v) => {
    const xs = ns[v]!;
    const bytes = allocated.get(variants[v]![1][name]!) ?? Number.NaN;
    return `${label}: ${median(xs).toFixed(0)} ns (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}), ${bytes.toFixed(0)} heap bytes`;
  });
  const diff =
    variants.length > 1 ? `  this vs other ${((median(ns[0]!) / median(ns[1]!) - 1) * 100).toFixed(1)}%` : '';
  console.log(`${name.padEnd(14)} CPU/call  ${line.join('  ')}${diff}`);
}
console.log(
  `${n} calls per round, ${rounds} rounds after a warm-up; load average ${load0.toFixed(2)} at the start`,
);
process.exit(0);
