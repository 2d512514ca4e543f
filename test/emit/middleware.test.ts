/**
 * The per-request event of the Express middleware and the Fastify plugin, field by field, against a
 * real broker and read back with a real consumer: method, route pattern (with the router's mount
 * path; the path without its query when no route matched), status, duration and user, in that
 * order and nothing else; the user as the Kafka key; the `type`, `topic`, `key`, `skip` and `user`
 * options (a throwing `user()` counts as no user); keep-alive connections (one shared 'finish'
 * listener per middleware must still see each response's own request).
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Agent } from 'undici';
import type { ConsumedRecord } from '../../src/client/consumed-record.ts';
import { createEmitter, expressMiddleware, fastifyPlugin } from '../../src/emit/index.ts';
import { startBroker } from '../../src/testing/index.ts';
import { createTopic, header, readAll } from './helpers.ts';

const quiet = { warn: () => {}, error: () => {} };

interface Event {
  type: string | undefined;
  key: string | undefined;
  data: Record<string, unknown>;
}

function events(records: ConsumedRecord[]): Event[] {
  return [...records]
    .sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset))
    .map((r) => ({
      type: header(r, 'ce_type'),
      key: r.key?.toString(),
      data: JSON.parse(r.value!.toString()) as Record<string, unknown>,
    }));
}

/** The event's data without the duration (checked on its own: it is a measurement). */
function withoutDuration(e: Event): Record<string, unknown> {
  const { durationMs, ...rest } = e.data;
  assert.equal(typeof durationMs, 'number');
  assert.ok((durationMs as number) >= 0 && (durationMs as number) < 60_000, `durationMs ${durationMs}`);
  assert.equal(Math.round((durationMs as number) * 1000) / 1000, durationMs, 'rounded to the microsecond');
  return rest;
}

test('Express: method, route, status, duration and user exactly, the user as key, on keep-alive connections', async () => {
  const broker = await startBroker();
  await createTopic(broker.bootstrap, 'requests', 1);
  await createTopic(broker.bootstrap, 'interactions', 1);
  const emitter = createEmitter({ bootstrap: broker.bootstrap, topic: 'interactions', logger: quiet });
  const app = express();
  app.use(
    expressMiddleware(emitter, {
      topic: 'requests',
      user: (req) => req.headers['x-user'] as string | undefined,
    }),
  );
  app.use(express.json());
  const api = express.Router();
  api.get('/items/:id', (req, res) => {
    req.emitEvent('item.viewed', { item: req.params.id });
    res.json({ ok: true });
  });
  api.post('/orders', (req, res) => {
    // The body parser still works: the middleware did not touch the request's stream methods.
    res.status(201).json({ total: (req.body as { n: number }).n * 2 });
  });
  app.use('/api', api);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  // One connection: every request reuses it, so the responses share a socket.
  const dispatcher = new Agent({ connections: 1 });
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { ...init, dispatcher } as RequestInit);
    await res.arrayBuffer();
    return res;
  };
  try {
    assert.equal((await call('/api/items/7?ref=home', { headers: { 'x-user': 'u-1' } })).status, 200);
    const post = await call('/api/orders', {
      method: 'POST',
      headers: { 'x-user': 'u-2', 'content-type': 'application/json' },
      body: JSON.stringify({ n: 21 }),
    });
    assert.equal(post.status, 201);
    assert.equal((await call('/nowhere/at/all?x=1')).status, 404);
    assert.equal((await call('/api/items/8', { headers: { 'x-user': 'u-1' } })).status, 200);
    assert.equal(await emitter.flush(10_000), true);

    const got = events(await readAll(broker.bootstrap, 'requests', 1, 4));
    assert.equal(got.length, 4);
    for (const e of got) assert.equal(e.type, 'http.request');
    assert.deepEqual(
      got.map((e) => Object.keys(e.data)),
      [
        ['method', 'route', 'status', 'durationMs', 'user'],
        ['method', 'route', 'status', 'durationMs', 'user'],
        ['method', 'route', 'status', 'durationMs'],
        ['method', 'route', 'status', 'durationMs', 'user'],
      ],
    );
    assert.deepEqual(got.map(withoutDuration), [
      { method: 'GET', route: '/api/items/:id', status: 200, user: 'u-1' },
      { method: 'POST', route: '/api/orders', status: 201, user: 'u-2' },
      { method: 'GET', route: '/nowhere/at/all', status: 404 },
      { method: 'GET', route: '/api/items/:id', status: 200, user: 'u-1' },
    ]);
    assert.deepEqual(
      got.map((e) => e.key),
      ['u-1', 'u-2', undefined, 'u-1'],
    );
    const handlerEvents = events(await readAll(broker.bootstrap, 'interactions', 1, 2));
    assert.deepEqual(
      handlerEvents.map((e) => [e.type, e.data.item]),
      [
        ['item.viewed', '7'],
        ['item.viewed', '8'],
      ],
    );
  } finally {
    server.close();
    await dispatcher.close();
    await emitter.close();
    await broker.stop();
  }
});

test("Express: the per-request events, encoded later in a batch, keep call order with the handlers' events of the same key, and close() delivers them", async () => {
  const broker = await startBroker();
  await createTopic(broker.bootstrap, 'mixed', 1);
  const emitter = createEmitter({ bootstrap: broker.bootstrap, topic: 'mixed', lingerMs: 50, logger: quiet });
  const app = express();
  app.use(expressMiddleware(emitter, { user: (req) => req.headers['x-user'] as string | undefined }));
  app.get('/items/:id', (req, res) => {
    req.emitEvent('item.viewed', { item: req.params.id }, { key: 'u-1' });
    res.json({ ok: true });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  const dispatcher = new Agent({ connections: 1 });
  try {
    const n = 25;
    for (let i = 0; i < n; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/items/${i}`, {
        headers: { 'x-user': 'u-1' },
        dispatcher,
      } as RequestInit);
      await res.arrayBuffer();
    }
    // No flush(): close() must encode and deliver the request events still waiting.
    const closed = await emitter.close({ timeoutMs: 10_000 });
    assert.equal(closed.clean, true);
    assert.equal(closed.delivered, 2 * n);
    const records = await readAll(broker.bootstrap, 'mixed', 1, 2 * n);
    const got = events(records);
    const expected: [string | undefined, string][] = [];
    for (let i = 0; i < n; i++) expected.push(['item.viewed', String(i)], ['http.request', '/items/:id']);
    assert.deepEqual(
      got.map((e) => [e.type, (e.data.item as string | undefined) ?? (e.data.route as string)]),
      expected,
    );
    for (const e of got) assert.equal(e.key, 'u-1');
    // Each event's ce_time is its record's timestamp (when the response finished, for the
    // request events), and the timestamps do not go back in the log.
    const sorted = [...records].sort((a, b) => Number(a.offset - b.offset));
    for (let i = 0; i < sorted.length; i++) {
      const r = sorted[i]!;
      assert.equal(Date.parse(header(r, 'ce_time')!), Number(r.timestamp));
      if (i > 0) assert.ok(r.timestamp >= sorted[i - 1]!.timestamp);
    }
  } finally {
    server.close();
    await dispatcher.close();
    await emitter.close();
    await broker.stop();
  }
});

test('Express options: type, key, skip; a throwing user() is no user; type false emits none but keeps req.emitEvent', async () => {
  const broker = await startBroker();
  await createTopic(broker.bootstrap, 'calls', 1);
  const emitter = createEmitter({ bootstrap: broker.bootstrap, topic: 'calls', logger: quiet });
  const app = express();
  app.use(
    '/a',
    expressMiddleware(emitter, {
      type: 'api.call',
      key: (req) => `tenant-${req.headers['x-tenant']}`,
      user: (req) => {
        if (req.headers['x-user'] === undefined) throw new Error('no session');
        return req.headers['x-user'] as string;
      },
      skip: (req) => req.url === '/health',
    }),
  );
  app.use('/b', expressMiddleware(emitter, { type: false }));
  app.get('/a/health', (_req, res) => void res.send('ok'));
  app.get('/a/thing', (_req, res) => void res.status(202).send('ok'));
  app.get('/b/thing', (req, res) => {
    req.emitEvent('b.used', { ok: true }, { key: 'b' });
    res.send('ok');
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  const get = async (path: string, headers: Record<string, string> = {}): Promise<number> => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
    await res.arrayBuffer();
    return res.status;
  };
  try {
    assert.equal(await get('/a/health'), 200);
    assert.equal(await get('/a/thing', { 'x-tenant': 't1', 'x-user': 'ada' }), 202);
    assert.equal(await get('/a/thing', { 'x-tenant': 't2' }), 202);
    assert.equal(await get('/b/thing'), 200);
    assert.equal(await emitter.flush(10_000), true);
    const got = events(await readAll(broker.bootstrap, 'calls', 1, 3));
    assert.equal(got.length, 3);
    assert.deepEqual(
      got.map((e) => [e.type, e.key]),
      [
        ['api.call', 'tenant-t1'],
        ['api.call', 'tenant-t2'],
        ['b.used', 'b'],
      ],
    );
    assert.deepEqual(withoutDuration(got[0]!), {
      method: 'GET',
      route: '/a/thing',
      status: 202,
      user: 'ada',
    });
    assert.deepEqual(withoutDuration(got[1]!), { method: 'GET', route: '/a/thing', status: 202 });
    assert.equal(emitter.metrics().emitted, 3);
  } finally {
    server.close();
    await emitter.close();
    await broker.stop();
  }
});

test('Fastify: method, route pattern, status, duration and user exactly; the path when no route matched', async () => {
  const broker = await startBroker();
  await createTopic(broker.bootstrap, 'fastify-requests', 1);
  const emitter = createEmitter({ bootstrap: broker.bootstrap, topic: 'fastify-requests', logger: quiet });
  const app = Fastify();
  await app.register(fastifyPlugin, {
    emitter,
    user: (req) => req.headers['x-user'] as string | undefined,
    skip: (req) => req.url === '/health',
  });
  app.get('/health', async () => 'ok');
  app.put('/items/:id', async (_request, reply) => {
    reply.code(204);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const { port } = app.server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal(
      (await fetch(`${base}/items/3?v=2`, { method: 'PUT', headers: { 'x-user': 'u-9' } })).status,
      204,
    );
    const missing = await fetch(`${base}/missing?q=1`);
    await missing.arrayBuffer();
    assert.equal(missing.status, 404);
    assert.equal(await emitter.flush(10_000), true);
    const got = events(await readAll(broker.bootstrap, 'fastify-requests', 1, 2));
    assert.equal(got.length, 2);
    assert.deepEqual(
      got.map((e) => Object.keys(e.data)),
      [
        ['method', 'route', 'status', 'durationMs', 'user'],
        ['method', 'route', 'status', 'durationMs'],
      ],
    );
    assert.deepEqual(got.map(withoutDuration), [
      { method: 'PUT', route: '/items/:id', status: 204, user: 'u-9' },
      { method: 'GET', route: '/missing', status: 404 },
    ]);
    assert.deepEqual(
      got.map((e) => e.key),
      ['u-9', undefined],
    );
  } finally {
    await app.close();
    await emitter.close();
    await broker.stop();
  }
});
