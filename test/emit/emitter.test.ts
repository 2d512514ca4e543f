/**
 * The emitter against a real broker, read back with a real consumer: an Express app under load
 * (every event once, in order per key, one request event per request), the broker stopped while
 * 10,000 events go to the spool with `spill` (none lost, order per key), `drop-newest`/`drop-oldest`
 * with a small buffer (the drop counter equals the missing events), a restart with a non-empty spool
 * (child processes), the SIGTERM hook, the close deadline, and the Fastify plugin.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Admin } from '@platformatic/kafka';
import express from 'express';
import Fastify from 'fastify';
import { Agent } from 'undici';
import type { ConsumedRecord } from '../../src/client/consumed-record.ts';
import {
  createEmitter,
  type EmitterOptions,
  expressMiddleware,
  fastifyPlugin,
} from '../../src/emit/index.ts';
import { encodeFrame } from '../../src/emit/record.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { createTopic, header, readAll, sequencesByKey } from './helpers.ts';

const quiet = { warn: () => {}, error: () => {} };
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'samsa-emit-'));
  dirs.push(d);
  return d;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const seqOf = (r: { value: Buffer | null }): number =>
  (JSON.parse(r.value!.toString()) as { seq: number }).seq;

/** Every seq in [0, n) exactly once, and each key's seqs ascending. */
function assertOnceInOrder(records: ConsumedRecord[], n: number): void {
  const seqs = records.map(seqOf).sort((a, b) => a - b);
  assert.equal(records.length, n, `expected ${n} records, read ${records.length}`);
  assert.deepEqual(
    seqs,
    Array.from({ length: n }, (_, i) => i),
    'every event once',
  );
  for (const [key, list] of sequencesByKey(records, seqOf)) {
    for (let i = 1; i < list.length; i++)
      assert.ok(list[i - 1]! < list[i]!, `key ${key}: ${list[i - 1]} before ${list[i]}`);
  }
}

function runChild(
  config: object,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      join(import.meta.dirname, 'fixtures/emit-child.ts'),
      JSON.stringify(config),
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

test('an Express app under load: every event arrives once, in order per key, and one request event per request', async () => {
  const broker = await startBroker({ numPartitions: 4 });
  const users = 40;
  // npm run soak -- emit (bench/soak/emit.soak.ts) sets the scale to 10: 100,000 events. npm test
  // sends 10,000 (20,000 until December 2026: the same batches, keys and connections, twice the CPU).
  const requestsPerUser = 50 * Number(process.env.SAMSA_SOAK_SCALE ?? 1);
  const eventsPerRequest = 5;
  await createTopic(broker.bootstrap, 'interactions', 4);
  await createTopic(broker.bootstrap, 'requests', 2);
  const emitter = createEmitter({
    bootstrap: broker.bootstrap,
    topic: 'interactions',
    lingerMs: 2,
    batchEvents: 500, // 10,000 events (100,000 in the soak) cross many batches
    logger: quiet,
  });
  const app = express();
  app.use(
    expressMiddleware(emitter, {
      topic: 'requests',
      user: (req) => req.headers['x-user'] as string | undefined,
    }),
  );
  app.get('/items/:id', (req, res) => {
    const user = req.get('x-user')!;
    const first = Number(req.query.seq) * eventsPerRequest;
    for (let i = 0; i < eventsPerRequest; i++) {
      req.emitEvent('item.viewed', { seq: first + i, item: req.params.id }, { key: user });
    }
    res.json({ ok: true });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  const dispatcher = new Agent({ connections: users });
  try {
    // Each user sends its requests one after another (so its events have an order); users in parallel.
    await Promise.all(
      Array.from({ length: users }, async (_, u) => {
        for (let r = 0; r < requestsPerUser; r++) {
          const seq = r * users + u; // globally unique; ascending per user
          const res = await fetch(`http://127.0.0.1:${port}/items/${r}?seq=${seq}`, {
            headers: { 'x-user': `user-${u}` },
            dispatcher,
          } as RequestInit);
          assert.equal(res.status, 200);
          await res.arrayBuffer();
        }
      }),
    );
    const total = users * requestsPerUser * eventsPerRequest;
    assert.equal(await emitter.flush(30_000), true);
    const m = emitter.metrics();
    assert.equal(m.emitted, total + users * requestsPerUser);
    assert.equal(m.delivered, m.emitted);
    assert.equal(m.dropped, 0);

    const records = await readAll(broker.bootstrap, 'interactions', 4, total);
    assertOnceInOrder(records, total);
    const byUser = sequencesByKey(records, seqOf);
    assert.equal(byUser.size, users);
    for (const [user, list] of byUser) {
      const u = Number(user.slice(5));
      assert.ok(
        list.every((s) => Math.floor(s / eventsPerRequest) % users === u),
        `${user} holds only its own events`,
      );
    }

    const requests = await readAll(broker.bootstrap, 'requests', 2, users * requestsPerUser);
    assert.equal(requests.length, users * requestsPerUser);
    const sample = requests[0]!;
    assert.equal(header(sample, 'ce_type'), 'http.request');
    assert.equal(header(sample, 'ce_specversion'), '1.0');
    const data = JSON.parse(sample.value!.toString()) as Record<string, unknown>;
    assert.equal(data.method, 'GET');
    assert.equal(data.route, '/items/:id');
    assert.equal(data.status, 200);
    assert.equal(typeof data.durationMs, 'number');
    assert.equal(data.user, sample.key?.toString());
    assert.match(String(data.user), /^user-\d+$/);

    assert.ok(m.deliveryLatency.count >= total);
  } finally {
    server.close();
    await dispatcher.close();
    await emitter.close();
    await broker.stop();
  }
});

test('spill: the broker stopped mid-run while 10,000 events are spooled loses nothing and keeps each key in order', async () => {
  const dataDir = tempDir();
  const port = await freePort();
  let broker: TestBroker = await startBroker({ dataDir, port, numPartitions: 3 });
  await createTopic(broker.bootstrap, 'spilled', 3);
  const spoolDir = tempDir();
  const emitter = createEmitter({
    bootstrap: broker.bootstrap,
    topic: 'spilled',
    policy: 'spill',
    spoolDir,
    maxBufferBytes: 64 * 1024, // fills within the outage, so events go to the spool
    spoolSegmentBytes: 256 * 1024, // 10,000 events (~2 MB) fill several segments
    batchEvents: 1000,
    logger: quiet,
  });
  let seq = 0;
  // Events come as from a busy app, 25 at a time, until `done` (phases by count, not by time:
  // until December 2026 they were 0.8 s, 4 s and 0.8 s long, ~100,000 events, 5 s of CPU).
  const emitUntil = async (done: () => boolean, what: string): Promise<void> => {
    const deadline = performance.now() + 60_000;
    while (!done()) {
      assert.ok(performance.now() < deadline, `still emitting after 60 s, waiting for ${what}`);
      for (let i = 0; i < 25; i++, seq++) emitter.emit('test.seq', { seq }, { key: `key-${seq % 10}` });
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  try {
    await emitUntil(() => emitter.metrics().delivered >= 2_000, '2,000 events delivered');
    await broker.stop();
    const spooledBefore = emitter.metrics().spooled;
    await emitUntil(() => emitter.metrics().spooled - spooledBefore >= 10_000, '10,000 events spooled'); // the outage
    const spooledDuringOutage = emitter.metrics().spooled - spooledBefore;
    const segments = readdirSync(spoolDir).filter((f) => /^\d{16}\.spool$/.test(f)).length;
    assert.ok(segments >= 3, `the outage's events span spool segments (${segments})`);
    broker = await startBroker({ dataDir, port, numPartitions: 3 });
    const emittedBeforeRestart = seq;
    await emitUntil(() => seq - emittedBeforeRestart >= 3_000, '3,000 events after the restart');
    assert.equal(await emitter.flush(60_000), true);
    const m = emitter.metrics();
    assert.ok(
      spooledDuringOutage > 1000,
      `events went to the spool during the outage (${spooledDuringOutage})`,
    );
    assert.equal(m.dropped, 0);
    assert.equal(m.delivered, seq);
    assert.equal(m.spoolBytes, 0);
    const records = await readAll(broker.bootstrap, 'spilled', 3, seq, { timeoutMs: 60_000 });
    assertOnceInOrder(records, seq);
  } finally {
    await emitter.close({ timeoutMs: 1000 });
    await broker.stop();
  }
});

async function boundedBufferRun(policy: 'drop-newest' | 'drop-oldest') {
  const port = await freePort();
  const bootstrap = `127.0.0.1:${port}`;
  const emitter = createEmitter({
    bootstrap,
    topic: 'bounded',
    policy,
    maxBufferBytes: 100 * 1024,
    batchEvents: 200,
    // The test creates the topic once the broker is up; a metadata request landing between the
    // broker's start and that creation must not create it first (with the broker's defaults).
    autocreateTopics: false,
    logger: quiet,
  });
  const n = 5000;
  for (let seq = 0; seq < n; seq++) emitter.emit('test.seq', { seq }, { key: `key-${seq % 4}` });
  // The broker comes up only now: the buffer had to hold everything.
  const broker = await startBroker({ port, numPartitions: 2 });
  await createTopic(bootstrap, 'bounded', 2);
  assert.equal(await emitter.flush(30_000), true);
  const m = emitter.metrics();
  const records = await readAll(bootstrap, 'bounded', 2, n - m.dropped);
  await emitter.close();
  await broker.stop();
  return { n, m, seqs: records.map(seqOf).sort((a, b) => a - b) };
}

test('drop-newest with a small buffer: the drop counter equals the missing events, the oldest are kept', async () => {
  const { n, m, seqs } = await boundedBufferRun('drop-newest');
  assert.ok(m.dropped > 0 && m.dropped < n, `some dropped (${m.dropped})`);
  assert.equal(m.droppedByReason['buffer-full'], m.dropped);
  assert.equal(seqs.length, n - m.dropped, 'read = emitted - dropped');
  assert.equal(m.delivered, seqs.length);
  assert.deepEqual(
    seqs,
    Array.from({ length: seqs.length }, (_, i) => i),
    'exactly the first events were kept',
  );
});

test('drop-oldest with a small buffer: the drop counter equals the missing events, the newest are kept', async () => {
  const { n, m, seqs } = await boundedBufferRun('drop-oldest');
  assert.ok(m.dropped > 0, `some dropped (${m.dropped})`);
  assert.equal(m.droppedByReason.evicted, m.dropped);
  assert.equal(seqs.length, n - m.dropped);
  assert.equal(seqs[seqs.length - 1], n - 1, 'the newest event was kept');
  assert.ok(seqs.length === new Set(seqs).size);
});

test('a restart with a non-empty spool (torn tail from a crash included) delivers the spooled events first', async () => {
  const spoolDir = tempDir();
  const deadPort = await freePort();
  const spilled = 3000;
  const first = await runChild({
    options: {
      bootstrap: `127.0.0.1:${deadPort}`,
      topic: 'restart',
      policy: 'spill',
      spoolDir,
      maxBufferBytes: 32 * 1024,
    } satisfies EmitterOptions,
    count: spilled,
    firstSeq: 0,
    keys: 5,
    close: { timeoutMs: 300 },
  });
  assert.equal(first.code, 0, first.stderr);
  const out = JSON.parse(first.stdout) as {
    metrics: { spooled: number; dropped: number };
    result: { spoolBytes: number; clean: boolean };
  };
  assert.equal(out.metrics.dropped, 0);
  assert.equal(
    out.metrics.spooled,
    spilled,
    'everything ended in the spool (memory buffer included at the deadline)',
  );
  assert.equal(out.result.clean, false);
  assert.ok(out.result.spoolBytes > 0);
  // A crash in the middle of an append leaves half a frame at the end of the last segment.
  const last = readdirSync(spoolDir)
    .filter((f) => /^\d{16}\.spool$/.test(f))
    .sort()
    .pop()!;
  appendFileSync(
    join(spoolDir, last),
    encodeFrame({
      topic: 'restart',
      key: undefined,
      value: Buffer.from('{}'),
      headers: [],
      timestamp: 0,
      size: 0,
    }).subarray(0, 11),
  );

  const broker = await startBroker({ numPartitions: 2 });
  try {
    await createTopic(broker.bootstrap, 'restart', 2);
    const extra = 500;
    const second = await runChild({
      options: { bootstrap: broker.bootstrap, topic: 'restart', policy: 'spill', spoolDir },
      count: extra,
      firstSeq: spilled,
      keys: 5,
    });
    assert.equal(second.code, 0, second.stderr);
    const result = JSON.parse(second.stdout) as {
      metrics: { delivered: number; dropped: number };
      result: { clean: boolean; spoolBytes: number };
    };
    assert.equal(result.result.clean, true);
    assert.equal(result.result.spoolBytes, 0);
    assert.equal(result.metrics.delivered, spilled + extra, 'the spooled events and the new ones');
    const records = await readAll(broker.bootstrap, 'restart', 2, spilled + extra);
    assertOnceInOrder(records, spilled + extra);
  } finally {
    await broker.stop();
  }
});

test('the SIGTERM hook flushes before the process exits by the signal', async () => {
  const broker = await startBroker();
  try {
    await createTopic(broker.bootstrap, 'sigterm', 1);
    const child = spawn(process.execPath, [
      join(import.meta.dirname, 'fixtures/emit-child.ts'),
      JSON.stringify({
        options: {
          bootstrap: broker.bootstrap,
          topic: 'sigterm',
          handleSigterm: true,
          lingerMs: 600_000,
          batchEvents: 1_000_000,
        },
        count: 300,
        firstSeq: 0,
        keys: 3,
        waitForSigterm: true,
      }),
    ]);
    let stdout = '';
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (c: Buffer) => {
        stdout += c;
        if (stdout.includes('ready')) resolve();
      }),
    );
    const exited = new Promise<string | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    child.kill('SIGTERM');
    assert.equal(await exited, 'SIGTERM');
    const records = await readAll(broker.bootstrap, 'sigterm', 1, 300);
    assertOnceInOrder(records, 300);
  } finally {
    await broker.stop();
  }
});

test('the sender in its worker thread and on the app thread (senderThread: false) deliver the same: every event once, in order per key', async () => {
  const broker = await startBroker({ numPartitions: 4 });
  try {
    for (const senderThread of [true, false]) {
      const topic = `sender-${senderThread ? 'worker' : 'inline'}`;
      await createTopic(broker.bootstrap, topic, 4);
      const emitter = createEmitter({ bootstrap: broker.bootstrap, topic, senderThread, logger: quiet });
      const n = 3000;
      for (let seq = 0; seq < n; seq++) {
        emitter.emit('test.seq', { seq }, { key: `key-${seq % 13}` });
        if (seq % 500 === 499) await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(await emitter.flush(30_000), true);
      const m = emitter.metrics();
      assert.equal(m.delivered, n, `${topic}: delivered`);
      assert.equal(m.bufferedEvents, 0);
      assertOnceInOrder(await readAll(broker.bootstrap, topic, 4, n), n);
      assert.equal((await emitter.close()).clean, true);
    }
  } finally {
    await broker.stop();
  }
});

test('senderNice outside 0-19 is a usage error', () => {
  for (const senderNice of [-1, 20, 2.5]) {
    assert.throws(
      () => createEmitter({ senderNice, logger: quiet }),
      /senderNice must be an integer from 0 to 19/,
    );
  }
});

test('an emitter with a sender thread left open does not keep its process alive once everything is delivered', async () => {
  const broker = await startBroker();
  try {
    await createTopic(broker.bootstrap, 'left-open', 1);
    const child = runChild({
      options: { bootstrap: broker.bootstrap, topic: 'left-open', senderThread: true },
      count: 200,
      firstSeq: 0,
      keys: 2,
      noClose: true,
    });
    const { code, stdout } = await child;
    assert.equal(code, 0);
    const out = JSON.parse(stdout) as { flushed: boolean; metrics: { delivered: number } };
    assert.deepEqual([out.flushed, out.metrics.delivered], [true, 200]);
    assertOnceInOrder(await readAll(broker.bootstrap, 'left-open', 1, 200), 200);
  } finally {
    await broker.stop();
  }
});

test('close: the deadline bounds it when the broker is down; later emits are counted, never thrown', async () => {
  const port = await freePort();
  const emitter = createEmitter({ bootstrap: `127.0.0.1:${port}`, logger: quiet });
  for (let i = 0; i < 100; i++) emitter.emit('test.seq', { seq: i });
  const t0 = performance.now();
  const result = await emitter.close({ timeoutMs: 300 });
  const elapsed = performance.now() - t0;
  assert.ok(elapsed < 5000, `close returned (${Math.round(elapsed)} ms)`);
  assert.deepEqual(result, { delivered: 0, dropped: 100, spoolBytes: 0, clean: false });
  emitter.emit('after.close', 1);
  const m = emitter.metrics();
  assert.equal(m.droppedByReason.shutdown, 100);
  assert.equal(m.droppedByReason.closed, 1);
  assert.equal(emitter.closed, true);
  assert.throws(() => emitter.emit('', 1), /event type/); // programmer errors still throw
});

test('Fastify plugin: request.emit in handlers and one request event per request, structured mode', async () => {
  const broker = await startBroker();
  await createTopic(broker.bootstrap, 'fastify', 1);
  const emitter = createEmitter({
    bootstrap: broker.bootstrap,
    topic: 'fastify',
    mode: 'structured',
    logger: quiet,
  });
  const app = Fastify();
  await app.register(fastifyPlugin, { emitter, user: (req) => req.headers['x-user'] as string | undefined });
  app.get('/hello/:name', async (request) => {
    request.emit(
      'greeted',
      { name: (request.params as { name: string }).name },
      { key: 'greetings', subject: 'hello' },
    );
    return { hello: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const { port } = app.server.address() as AddressInfo;
    for (const name of ['ada', 'bob']) {
      const res = await fetch(`http://127.0.0.1:${port}/hello/${name}?x=1`, {
        headers: { 'x-user': `u-${name}` },
      });
      assert.equal(res.status, 200);
    }
    assert.equal(await emitter.flush(10_000), true);
    const records = await readAll(broker.bootstrap, 'fastify', 1, 4);
    assert.equal(records.length, 4);
    const events = records.map((r) => {
      assert.equal(header(r, 'content-type'), 'application/cloudevents+json; charset=UTF-8');
      return JSON.parse(r.value!.toString()) as Record<string, unknown>;
    });
    const greeted = events.filter((e) => e.type === 'greeted');
    assert.deepEqual(
      greeted.map((e) => (e.data as { name: string }).name),
      ['ada', 'bob'],
    );
    assert.equal(greeted[0]!.subject, 'hello');
    assert.equal(greeted[0]!.specversion, '1.0');
    const requests = events.filter((e) => e.type === 'http.request');
    assert.equal(requests.length, 2);
    const d = requests[0]!.data as Record<string, unknown>;
    assert.equal(d.route, '/hello/:name');
    assert.equal(d.status, 200);
    assert.equal(d.method, 'GET');
    assert.equal(d.user, 'u-ada');
  } finally {
    await app.close();
    await emitter.close();
    await broker.stop();
  }
});

test('a batch the ACLs refuse is dropped as rejected and counted, never thrown', async () => {
  const broker = await startBroker({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    scramUsers: ['admin:admin-pw', 'alice:alice-pw'],
    authorizer: 'acl',
    superUsers: ['User:admin'],
  });
  const bootstrap = `127.0.0.1:${broker.listeners[0]!.port}`;
  const emitter = createEmitter({
    bootstrap,
    topic: 'guarded',
    sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'alice-pw' },
    logger: quiet,
  });
  try {
    const admin = new Admin({
      clientId: 'acl-setup',
      bootstrapBrokers: [bootstrap],
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'admin', password: 'admin-pw' },
    });
    await admin.createTopics({ topics: ['guarded'], partitions: 1, replicas: 1 });
    await admin.close();
    for (let i = 0; i < 5; i++) emitter.emit('test.seq', { seq: i });
    assert.equal(await emitter.flush(20_000), true);
    const m = emitter.metrics();
    assert.equal(m.droppedByReason.rejected, 5);
    assert.equal(m.delivered, 0);
    assert.ok(m.sendErrors >= 1);
  } finally {
    await emitter.close({ timeoutMs: 1000 });
    await broker.stop();
  }
});
