/**
 * The HTTP sink under failure: an endpoint failing at random (500/503/429 and 400) while the worker
 * process is killed with SIGKILL mid-run — every record ends up delivered or dead-lettered with the
 * right headers, and no retry comes before its delay — and bad input: an unreachable URL, request
 * timeouts, malformed and null records.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { createAdmin } from '../../../src/client/clients.ts';
import type { SinkRecord } from '../../../src/connect/api/index.ts';
import { HttpSinkTask, httpSinkPlugin } from '../../../src/connectors/http-sink/index.ts';
import { startBroker, type TestBroker } from '../../../src/testing/index.ts';
import { startHttpEndpoint } from '../../helpers/http-endpoint.ts';
import { createTopic, produce } from '../../helpers/produce.ts';
import { committedOffsets, readTopic, runSinkTask } from '../../helpers/sink-harness.ts';
import { volume } from '../../helpers/soak.ts';

let broker: TestBroker;
before(async () => {
  broker = await startBroker({ numPartitions: 1 });
});
after(async () => {
  await broker.stop();
});

async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const header = (headers: readonly [Buffer, Buffer | null][], name: string): string | undefined =>
  headers.find(([k]) => k.toString() === name)?.[1]?.toString();
const idOf = (value: Buffer | null): number => (JSON.parse(value!.toString()) as { id: number }).id;

/** The URL of an endpoint that was started and closed again: connections to it are refused. */
async function unreachableUrl(): Promise<string> {
  const closed = await startHttpEndpoint();
  await closed.close();
  return closed.url;
}

/** A small deterministic generator, so a failing run can be repeated. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function startWorker(args: object): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [new URL('./fixtures/http-worker.ts', import.meta.url).pathname, JSON.stringify(args)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

test('5,000 records (SAMSA_SOAK=1: 100,000) through an endpoint failing 20% with 500/503/429 and 5% with 400, worker killed -9 mid-run: delivered ∪ dead-lettered = produced', async (t) => {
  const total = volume(5_000, 100_000);
  const next = random(Number(process.env.SEED ?? 14));
  const delivered = new Map<number, number>();
  const endpoint = await startHttpEndpoint((req) => {
    const r = next();
    if (r < 0.2) {
      const status = [500, 503, 429][Math.floor(r * 15) % 3]!;
      return status === 429 ? { status, retryAfter: '0' } : { status };
    }
    if (r < 0.25) return { status: 400, body: 'rejected' };
    for (const { id } of JSON.parse(req.body) as { id: number }[])
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
    return { status: 200 };
  });
  const topic = 'mix';
  await createTopic(broker.bootstrap, topic, 3);
  await produce(
    broker.bootstrap,
    topic,
    Array.from({ length: total }, (_, i) => ({
      key: `k${i % 100}`,
      value: JSON.stringify({ id: i }),
      partition: i % 3,
    })),
  );
  const config = {
    topics: topic,
    'http.api.url': `${endpoint.url}/bulk`,
    'request.body.format': 'json',
    'batch.json.as.array': 'true',
    'batch.max.size': '50',
    'batch.linger.ms': '20',
    'max.in.flight.requests': '8',
    headers: `X-Topic:${'$'}{topic}`,
    'max.retries': '0',
    'retry.backoff.ms': '20',
    'retry.topics': '1s,2s',
    'dead.letter.topic': 'mix-dlt',
  };
  const topics = [topic, ...(httpSinkPlugin.additionalTopics?.(config) ?? [])];
  const args = { bootstrap: broker.bootstrap, config, topics, groupId: 'g-mix' };
  let worker = await startWorker(args);
  await waitFor('a third delivered', () => delivered.size >= total / 3);
  worker.kill('SIGKILL');
  await new Promise((resolve) => worker.once('exit', resolve));
  const deliveredAtKill = delivered.size;
  worker = await startWorker(args);
  let dlt: Awaited<ReturnType<typeof readTopic>> = [];
  await waitFor(
    'every record delivered or dead-lettered',
    async () => {
      if (delivered.size + 0 < total * 0.5) return false;
      dlt = await readTopic(broker.bootstrap, 'mix-dlt');
      const dead = new Set(dlt.map((r) => idOf(r.value)));
      for (let i = 0; i < total; i++) if (!delivered.has(i) && !dead.has(i)) return false;
      return true;
    },
    volume(60_000, 900_000),
  );
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('exit', resolve));

  const dead = new Map(dlt.map((r) => [idOf(r.value), r]));
  const all = new Set([...delivered.keys(), ...dead.keys()]);
  assert.equal(all.size, total, 'nothing lost');
  assert.ok(
    [...all].every((id) => id >= 0 && id < total),
    'nothing invented',
  );
  const duplicates = [...delivered.values()].reduce((n, c) => n + c - 1, 0);
  t.diagnostic(
    `delivered ${delivered.size}, dead-lettered ${dead.size} (${[...dead.keys()].filter((id) => delivered.has(id)).length} of them also delivered by a killed worker's in-flight request), ${duplicates} duplicate deliveries, ${deliveredAtKill} delivered when the worker was killed`,
  );
  for (const [id, record] of dead) {
    assert.equal(header(record.headers, 'samsa.retry.original.topic'), topic);
    assert.equal(header(record.headers, 'samsa.retry.original.partition'), String(id % 3));
    assert.equal(header(record.headers, 'samsa.retry.original.offset'), String(Math.floor(id / 3)));
    assert.equal(record.key?.toString(), `k${id % 100}`);
    const status = header(record.headers, 'samsa.retry.last.status');
    const attempt = Number(header(record.headers, 'samsa.retry.attempt'));
    if (status === '400') assert.ok(attempt >= 1 && attempt <= 3);
    else {
      assert.match(status!, /^(500|503|429)$/);
      assert.equal(attempt, 3, 'a retryable failure reaches the dead-letter topic after both stages');
    }
    assert.ok(Number(header(record.headers, 'samsa.retry.first.failure.ms')) > 0);
  }
  // No retry came earlier than its stage's delay after the record was written to the stage's topic.
  for (const [stageTopic, delay] of [
    ['mix-retry-1s', 1000],
    ['mix-retry-2s', 2000],
  ] as const) {
    const written = new Map<number, number>();
    for (const r of await readTopic(broker.bootstrap, stageTopic)) {
      const id = idOf(r.value);
      written.set(id, Math.min(written.get(id) ?? Number.POSITIVE_INFINITY, Number(r.timestamp)));
    }
    const retries = endpoint.requests.filter((r) => r.headers['x-topic'] === stageTopic);
    t.diagnostic(`${stageTopic}: ${written.size} records, ${retries.length} requests`);
    if (delay === 1000) assert.ok(written.size > 0 && retries.length > 0, 'the first stage was used');
    for (const request of retries)
      for (const { id } of JSON.parse(request.body) as { id: number }[])
        assert.ok(
          request.at >= written.get(id)! + delay - 5,
          `${stageTopic}: id ${id} retried ${request.at - written.get(id)!} ms after it was written`,
        );
  }
  await endpoint.close();
});

test('an unreachable URL without a dead-letter topic fails the task with the reason, committing nothing', async () => {
  const base = await unreachableUrl();
  const url = `${base}/gone`;
  await createTopic(broker.bootstrap, 'nowhere');
  await produce(broker.bootstrap, 'nowhere', [{ value: 'a' }, { value: 'b' }]);
  const harness = await runSinkTask({
    bootstrap: broker.bootstrap,
    task: new HttpSinkTask(),
    config: {
      topics: 'nowhere',
      'http.api.url': url,
      'max.retries': '1',
      'retry.backoff.ms': '10',
      'batch.max.size': '10',
      'batch.linger.ms': '0',
    },
    topics: ['nowhere'],
    groupId: 'g-nowhere',
  });
  await assert.rejects(harness.done, (err: Error) => {
    assert.equal(err.name, 'ConnectError');
    assert.match(err.message, /could not deliver 2 record\(s\) from nowhere-0 at offset 0/);
    assert.match(err.message, /ECONNREFUSED/);
    assert.ok(err.message.includes(base), err.message);
    return true;
  });
  await harness.stop();
  const admin = createAdmin({ bootstrapBrokers: [broker.bootstrap] }, { clientId: 't' });
  const committed = await committedOffsets(admin, 'g-nowhere', ['nowhere']);
  await admin.close();
  assert.ok((committed.get('nowhere/0') ?? 0n) === 0n, 'nothing committed');
});

test('an unreachable URL with a dead-letter topic dead-letters the records with status 0 and the reason', async () => {
  const url = await unreachableUrl();
  await createTopic(broker.bootstrap, 'nowhere2');
  await produce(broker.bootstrap, 'nowhere2', [{ value: 'a' }, { value: 'b' }]);
  const task = new HttpSinkTask();
  const harness = await runSinkTask({
    bootstrap: broker.bootstrap,
    task,
    config: {
      topics: 'nowhere2',
      'http.api.url': url,
      'max.retries': '0',
      'batch.max.size': '10',
      'dead.letter.topic': 'nowhere2-dlt',
    },
    topics: ['nowhere2'],
    groupId: 'g-nowhere2',
  });
  await waitFor('dead letters', () => task.stats.deadLettered === 2);
  await harness.stop();
  const dlt = await readTopic(broker.bootstrap, 'nowhere2-dlt');
  assert.deepEqual(
    dlt.map((r) => r.value?.toString()),
    ['a', 'b'],
  );
  assert.equal(header(dlt[0]!.headers, 'samsa.retry.last.status'), '0');
  assert.match(header(dlt[0]!.headers, '__connect.errors.exception.message')!, /ECONNREFUSED/);
});

test('failed batches larger than the dead-letter topic takes in one batch go in as several', async () => {
  // 500-record batches of 4 KB records are 2 MB, twice the broker's default max.message.bytes; the
  // second dead-letter topic exists with max.message.bytes=65536.
  const url = await unreachableUrl();
  await createTopic(broker.bootstrap, 'large');
  const values = Array.from({ length: 600 }, (_, i) => `${i} ${'x'.repeat(4000)}`);
  for (let i = 0; i < values.length; i += 100)
    await produce(
      broker.bootstrap,
      'large',
      values.slice(i, i + 100).map((value) => ({ value })),
    );
  await createTopic(broker.bootstrap, 'large-dlt-small', 1, { 'max.message.bytes': '65536' });
  for (const dlt of ['large-dlt', 'large-dlt-small']) {
    const task = new HttpSinkTask();
    const harness = await runSinkTask({
      bootstrap: broker.bootstrap,
      task,
      config: {
        topics: 'large',
        'http.api.url': url,
        'max.retries': '0',
        'batch.max.size': '500',
        'dead.letter.topic': dlt,
      },
      topics: ['large'],
      groupId: `g-${dlt}`,
    });
    await waitFor(`dead letters in ${dlt}`, () => task.stats.deadLettered === values.length);
    await harness.stop();
    // Every record once, whole (batches fail and are dead-lettered concurrently: not in offset order).
    const written = (await readTopic(broker.bootstrap, dlt)).map((r) => r.value?.toString() ?? '');
    assert.equal(written.length, values.length);
    assert.ok(written.every((v) => v.length === values[Number.parseInt(v, 10)]?.length));
    assert.deepEqual(
      written.map((v) => Number.parseInt(v, 10)).sort((a, b) => a - b),
      values.map((_, i) => i),
    );
  }
});

test('records the dead-letter topic refuses for good (each over its max.message.bytes) fail the task with the reason, committing nothing', async () => {
  const url = await unreachableUrl();
  await createTopic(broker.bootstrap, 'oversized');
  await produce(broker.bootstrap, 'oversized', [{ value: 'x'.repeat(4000) }, { value: 'y'.repeat(4000) }]);
  await createTopic(broker.bootstrap, 'oversized-dlt', 1, { 'max.message.bytes': '1024' });
  const admin = createAdmin({ bootstrapBrokers: [broker.bootstrap] }, { clientId: 'oversized' });
  try {
    const harness = await runSinkTask({
      bootstrap: broker.bootstrap,
      task: new HttpSinkTask(),
      config: {
        topics: 'oversized',
        'http.api.url': url,
        'max.retries': '0',
        'batch.max.size': '10',
        'dead.letter.topic': 'oversized-dlt',
      },
      topics: ['oversized'],
      groupId: 'g-oversized',
    });
    // Bounded: before, the hand-off was retried forever and the task never failed.
    const failed = Promise.race([
      harness.done,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the task did not fail in 20 s')), 20_000).unref(),
      ),
    ]);
    await assert.rejects(failed, (err: Error) => {
      assert.equal(err.name, 'ConnectError');
      assert.match(
        err.message,
        /could not write 2 record\(s\) from oversized-0 at offset 0 to oversized-dlt/,
      );
      assert.match(err.message, /MESSAGE_TOO_LARGE/);
      return true;
    });
    await harness.stop();
    const committed = await committedOffsets(admin, 'g-oversized', ['oversized']);
    assert.ok((committed.get('oversized/0') ?? 0n) === 0n, 'nothing committed');
  } finally {
    await admin.close();
  }
});

test('a request that times out is retried through the retry topic', async () => {
  let first = true;
  const endpoint = await startHttpEndpoint(() => {
    if (first) {
      first = false;
      return { status: 200, delayMs: 1500 };
    }
    return { status: 200 };
  });
  await createTopic(broker.bootstrap, 'sluggish');
  await produce(broker.bootstrap, 'sluggish', [{ value: 'v' }]);
  const config = {
    topics: 'sluggish',
    'http.api.url': endpoint.url,
    'http.request.timeout.ms': '300',
    'max.retries': '0',
    'retry.topics': '200ms',
  };
  const task = new HttpSinkTask();
  const harness = await runSinkTask({
    bootstrap: broker.bootstrap,
    task,
    config,
    topics: ['sluggish', ...(httpSinkPlugin.additionalTopics?.(config) ?? [])],
    groupId: 'g-sluggish',
  });
  await waitFor('delivery', () => task.stats.delivered === 1);
  await harness.stop();
  const [retried] = await readTopic(broker.bootstrap, 'sluggish-retry-200ms');
  assert.equal(header(retried!.headers, 'samsa.retry.last.status'), '0');
  assert.match(
    header(retried!.headers, 'samsa.retry.error')!,
    /no answer within http.request.timeout.ms \(300 ms\)/,
  );
  await endpoint.close();
});

test('malformed records and null values: dead-lettered, skipped or sent as DELETE, the rest delivered', async () => {
  const endpoint = await startHttpEndpoint();
  await createTopic(broker.bootstrap, 'messy');
  await produce(broker.bootstrap, 'messy', [
    { key: 'a', value: '{"ok":1}' },
    { key: 'b', value: 'not json' },
    { key: 'c', value: null },
    { key: 'd', value: '{"ok":2}' },
  ]);
  for (const [onNull, expectDelete] of [
    ['ignore', false],
    ['delete', true],
    ['fail', false],
  ] as const) {
    endpoint.requests.length = 0;
    const task = new HttpSinkTask();
    const harness = await runSinkTask({
      bootstrap: broker.bootstrap,
      task,
      config: {
        topics: 'messy',
        'http.api.url': `${endpoint.url}/items/${'$'}{key}`,
        'request.body.format': 'json',
        'batch.json.as.array': 'true',
        'batch.max.size': '10',
        'batch.linger.ms': '10',
        'behavior.on.null.values': onNull,
        'dead.letter.topic': `messy-dlt-${onNull}`,
      },
      topics: ['messy'],
      groupId: `g-messy-${onNull}`,
    });
    await waitFor(
      'all handled',
      () => task.stats.delivered + task.stats.deadLettered + task.stats.dropped >= 4,
    );
    await harness.stop();
    const posts = endpoint.requests.filter((r) => r.method === 'POST');
    assert.deepEqual(
      posts.flatMap((r) => JSON.parse(r.body) as unknown[]),
      [{ ok: 1 }, { ok: 2 }],
    );
    const deletes = endpoint.requests.filter((r) => r.method === 'DELETE');
    assert.deepEqual(
      deletes.map((r) => r.path),
      expectDelete ? ['/items/c'] : [],
    );
    const dlt = await readTopic(broker.bootstrap, `messy-dlt-${onNull}`);
    assert.deepEqual(
      dlt.map((r) => r.key?.toString()),
      onNull === 'fail' ? ['b', 'c'] : ['b'],
      onNull,
    );
    assert.match(
      header(dlt[0]!.headers, 'samsa.retry.error')!,
      /request.body.format=json but the record value is not JSON/,
    );
    assert.equal(header(dlt[0]!.headers, 'samsa.retry.last.status'), '-1');
  }
  await endpoint.close();
});

test('without a dead-letter topic, undeliverable records go to the runtime’s errant record reporter', async () => {
  const endpoint = await startHttpEndpoint(() => ({ status: 422 }));
  await createTopic(broker.bootstrap, 'reported');
  await produce(broker.bootstrap, 'reported', [{ value: 'x' }]);
  const reported: { record: SinkRecord; error: Error }[] = [];
  const task = new HttpSinkTask();
  const harness = await runSinkTask({
    bootstrap: broker.bootstrap,
    task,
    config: { topics: 'reported', 'http.api.url': endpoint.url },
    topics: ['reported'],
    groupId: 'g-reported',
    errantRecordReporter: {
      async report(record, error) {
        reported.push({ record, error });
      },
    },
  });
  await waitFor('report', () => reported.length === 1);
  await harness.stop();
  assert.equal(reported[0]!.record.value, 'x');
  assert.match(reported[0]!.error.message, /HTTP 422/);
  await endpoint.close();
});
