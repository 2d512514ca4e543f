/**
 * The CPU the request path itself spends on samsa/emit, without HTTP or a broker (so it is steady
 * on a busy machine):
 *
 *   node bench/emit/emit-path.ts [rounds=7] [n=200000]
 *
 * - `emit()`: `emitter.emit('item.viewed', {...}, { key })`, binary mode (CloudEvent encoding and
 *   the queue push; the emitter points at a closed port with a linger of 10 minutes, so nothing is
 *   sent and nothing else runs, and a 256 KiB buffer evicts its oldest event for each new one);
 * - `middleware`: `expressMiddleware`'s per-request work on real IncomingMessage/ServerResponse
 *   objects: the call, then the response's 'finish' (route, duration, user, the event).
 *
 * Prints CPU ns per call (process.cpuUsage; median and range over the rounds, after one warm-up
 * round). `response only` is the same loop without the middleware (a new ServerResponse and its
 * 'finish'), to subtract.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { loadavg } from 'node:os';
import { createEmitter, expressMiddleware } from '../../src/emit/index.ts';

const rounds = Number(process.argv[2] ?? 7);
const n = Number(process.argv[3] ?? 200_000);

const emitter = createEmitter({
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

function measure(name: string, fn: (i: number) => void): void {
  const ns: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) fn(i);
    const c = process.cpuUsage(c0);
    if (r > 0) ns.push(((c.user + c.system) * 1000) / n);
  }
  ns.sort((a, b) => a - b);
  const med = ns[Math.floor(ns.length / 2)]!;
  console.log(
    `${name.padEnd(14)} ${med.toFixed(0).padStart(6)} ns CPU/call (rounds ${ns[0]!.toFixed(0)}-${ns[ns.length - 1]!.toFixed(0)}, ${n} calls each)`,
  );
}

const users = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
measure('emit()', (i) => {
  const user = users[i % 1000]!;
  emitter.emit('item.viewed', { item: String(i % 5000), user, position: i % 9 }, { key: user });
});

// Real request/response objects, reused (the middleware only reads them and listens for 'finish').
const mw = expressMiddleware(emitter, { user: (req) => req.headers['x-user'] as string | undefined });
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
measure('response only', (i) => {
  const res = new ServerResponse(reqs[i & 63]!);
  res.statusCode = 200;
  res.emit('finish');
});
measure('middleware', (i) => {
  const req = reqs[i & 63]!;
  const res = new ServerResponse(req);
  res.statusCode = 200;
  mw(req, res, next);
  res.emit('finish');
});

const m = emitter.metrics();
console.log(`load average ${loadavg()[0]!.toFixed(2)}; ${m.emitted} events emitted`);
await emitter.close({ timeoutMs: 1 });
process.exit(0);
