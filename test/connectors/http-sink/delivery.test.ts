/**
 * The HTTP sink task against a real broker and a real HTTP server: batching and body formats,
 * headers and auth, retry topics with their delays and headers, the dead-letter topic,
 * Retry-After, blocking mode, and offsets that are committed only for delivered or handed-off
 * records (a crashed task's successor loses nothing).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAdmin } from '../../../src/client/clients.ts';
import { HttpSinkTask, httpSinkPlugin } from '../../../src/connectors/http-sink/index.ts';
import { startBroker, type TestBroker } from '../../../src/testing/index.ts';
import { startHttpEndpoint } from '../../helpers/http-endpoint.ts';
import { createTopic, produce } from '../../helpers/produce.ts';
import { committedOffsets, readTopic, runSinkTask } from '../../helpers/sink-harness.ts';

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
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function ids(body: string): number[] {
  return (JSON.parse(body) as { id: number }[]).map((r) => r.id);
}

const header = (headers: readonly [Buffer, Buffer | null][], name: string): string | undefined =>
  headers.find(([k]) => k.toString() === name)?.[1]?.toString();

test('delivers every record in JSON-array batches with templated headers and basic auth', async () => {
  const endpoint = await startHttpEndpoint();
  const topic = 'orders-basic';
  await createTopic(broker.bootstrap, topic, 2);
  await produce(
    broker.bootstrap,
    topic,
    Array.from({ length: 1000 }, (_, i) => ({
      key: `k${i % 10}`,
      value: JSON.stringify({ id: i }),
      partition: i % 2,
    })),
  );
  const config = {
    topics: topic,
    'http.api.url': `${endpoint.url}/ingest/\${topic}`,
    'request.body.format': 'json',
    'batch.json.as.array': 'true',
    'batch.max.size': '100',
    'batch.linger.ms': '20',
    headers: `X-Source:${'$'}{topic}|X-Fixed:yes`,
    'auth.type': 'BASIC',
    'connection.user': 'ann',
    'connection.password': 's3cret',
  };
  const task = new HttpSinkTask();
  const harness = await runSinkTask({
    bootstrap: broker.bootstrap,
    task,
    config,
    topics: [topic, ...(httpSinkPlugin.additionalTopics?.(config) ?? [])],
    groupId: 'g-basic',
  });
  await waitFor('1000 records', () => task.stats.delivered === 1000);
  await harness.stop();
  const delivered = endpoint.requests.flatMap((r) => ids(r.body)).sort((a, b) => a - b);
  assert.deepEqual(
    delivered,
    Array.from({ length: 1000 }, (_, i) => i),
  );
  assert.ok(endpoint.requests.length <= 14, `batches of up to 100: ${endpoint.requests.length} requests`);
  const first = endpoint.requests[0]!;
  assert.equal(first.method, 'POST');
  assert.equal(first.path, `/ingest/${topic}`);
  assert.equal(first.headers['x-source'], topic);
  assert.equal(first.headers['x-fixed'], 'yes');
  assert.equal(first.headers['content-type'], 'application/json');
  assert.equal(first.headers.authorization, `Basic ${Buffer.from('ann:s3cret').toString('base64')}`);
  const admin = createAdmin({ bootstrapBrokers: [broker.bootstrap] }, { clientId: 't' });
  const committed = await committedOffsets(admin, 'g-basic', [topic]);
  await admin.close();
  assert.equal(committed.get(`${topic}/0`), 500n);
  assert.equal(committed.get(`${topic}/1`), 500n);
  await endpoint.close();
});

test('string bodies with prefix, separator and suffix', async () => {
  const endpoint = await startHttpEndpoint();
  const topic = 'lines';
  await createTopic(broker.bootstrap, topic);
  await produce(
    broker.bootstrap,
    topic,
    ['a', 'b', 'c'].map((value) => ({ value })),
  );
  const config = {
    topics: topic,
    'http.api.url': `${endpoint.url}/lines`,
    'batch.max.size': '3',
    'batch.linger.ms': '1000',
    'batch.prefix': '<',
    'batch.separator': '\n',
    'batch.suffix': '>',
    'request.method': 'put',
  };
  const harness = await runSinkTask({
    bootstrap: broker.bootstrap,
    task: new HttpSinkTask(),
    config,
    topics: [topic],
    groupId: 'g-lines',
  });
  await waitFor('one request', () => endpoint.requests.length === 1);
  await harness.stop();
  assert.equal(endpoint.requests[0]!.body, '<a\nb\nc>');
  assert.equal(endpoint.requests[0]!.method, 'PUT');
  assert.match(String(endpoint.requests[0]!.headers['content-type']), /^text\/plain/);
  await endpoint.close();
});

test('failed batches go through the retry topics after their delays, then to the dead-letter topic', async () => {
  // ids 0-9 always fail with 503; 10-19 fail until they come from the first retry topic; 20-29 get 400.
  const endpoint = await startHttpEndpoint((req) => {
    const batch = ids(req.body);
    if (batch.some((id) => id < 10)) return { status: 503 };
    if (batch.some((id) => id >= 10 && id < 20) && req.headers['x-attempt'] === '') return { status: 500 };
    if (batch.some((id) => id >= 20 && id < 30)) return { status: 400, body: 'bad things' };
    return { status: 200 };
  });
  const topic = 'events';
  await createTopic(broker.bootstrap, topic);
  await produce(
    broker.bootstrap,
    topic,
    Array.from({ length: 40 }, (_, i) => ({
      key: `k${i}`,
      value: JSON.stringify({ id: i }),
      headers: { trace: `t${i}` },
    })),
  );
  const config = {
    topics: topic,
    'http.api.url': `${endpoint.url}/e`,
    'request.body.format': 'json',
    'batch.json.as.array': 'true',
    'batch.max.size': '10',
    'batch.linger.ms': '10',
    headers: `X-Attempt:${'$'}{header.samsa.retry.attempt}`,
    'max.retries': '1',
    'retry.backoff.ms': '10',
    'retry.topics': '1s,2s',
    'dead.letter.topic': 'events-dlt',
  };
  const retryTopics = httpSinkPlugin.additionalTopics?.(config) ?? [];
  assert.deepEqual(retryTopics, ['events-retry-1s', 'events-retry-2s']);
  const harness = await runSinkTask({
    bootstrap: broker.bootstrap,
    task: new HttpSinkTask(),
    config,
    topics: [topic, ...retryTopics],
    groupId: 'g-retry',
  });
  const delivered = (): number[] => endpoint.requests.filter((_, i) => i >= 0).flatMap((r) => ids(r.body));
  void delivered;
  await waitFor(
    'dead letters',
    async () => (await readTopic(broker.bootstrap, 'events-dlt')).length >= 20,
    30_000,
  );
  await waitFor('ids 10-19 delivered', () =>
    endpoint.requests.some((r) => ids(r.body).includes(10) && r.headers['x-attempt'] === '1'),
  );
  await harness.stop();

  const dlt = await readTopic(broker.bootstrap, 'events-dlt');
  const dltIds = dlt.map((r) => (JSON.parse(r.value!.toString()) as { id: number }).id).sort((a, b) => a - b);
  assert.deepEqual(dltIds, [
    ...Array.from({ length: 10 }, (_, i) => i),
    ...Array.from({ length: 10 }, (_, i) => 20 + i),
  ]);
  const exhausted = dlt.find((r) => r.key?.toString() === 'k3')!;
  assert.equal(header(exhausted.headers, 'samsa.retry.original.topic'), topic);
  assert.equal(header(exhausted.headers, 'samsa.retry.original.partition'), '0');
  assert.equal(header(exhausted.headers, 'samsa.retry.original.offset'), '3');
  assert.equal(header(exhausted.headers, 'samsa.retry.attempt'), '3');
  assert.equal(header(exhausted.headers, 'samsa.retry.last.status'), '503');
  assert.match(header(exhausted.headers, 'samsa.retry.error')!, /HTTP 503/);
  assert.equal(header(exhausted.headers, 'trace'), 't3');
  assert.equal(header(exhausted.headers, '__connect.errors.topic'), topic);
  const rejected = dlt.find((r) => r.key?.toString() === 'k25')!;
  assert.equal(header(rejected.headers, 'samsa.retry.attempt'), '1');
  assert.equal(header(rejected.headers, 'samsa.retry.last.status'), '400');
  assert.match(header(rejected.headers, 'samsa.retry.error')!, /bad things/);

  // Each retry came no earlier than its stage's delay after the record was written to that stage.
  const stage1 = await readTopic(broker.bootstrap, 'events-retry-1s');
  const stage2 = await readTopic(broker.bootstrap, 'events-retry-2s');
  assert.equal(stage1.length, 20);
  assert.equal(stage2.length, 10);
  for (const [records, delay, attempt] of [
    [stage1, 1000, '1'],
    [stage2, 2000, '2'],
  ] as const) {
    // Each record's own write time: a stage's records are written in more than one batch.
    const written = new Map(records.map((r) => [ids(`[${r.value!.toString()}]`)[0]!, Number(r.timestamp)]));
    const retried = endpoint.requests.filter((r) => r.headers['x-attempt'] === attempt);
    assert.ok(retried.length > 0);
    for (const r of retried)
      for (const id of ids(r.body)) {
        const at = written.get(id);
        assert.ok(at !== undefined, `id ${id} retried at attempt ${attempt} is in that stage's topic`);
        assert.ok(r.at >= at + delay - 5, `id ${id}: retry ${r.at - at} ms after its write`);
      }
  }
  const p = harness.pauses.filter((e) => e.tp.startsWith('events-retry'));
  assert.ok(
    p.some((e) => e.paused) && p.some((e) => !e.paused),
    'retry partitions were paused, then resumed',
  );
  await endpoint.close();
});

test('a Retry-After answer is waited for in the task, and one beyond retry.backoff.max.ms is waited for by the retry topic', async () => {
  let calls = 0;
  const endpoint = await startHttpEndpoint((req) => {
    calls++;
    if (req.path === '/short' && calls === 1) return { status: 429, retryAfter: '1' };
    if (req.path === '/long' && req.headers['x-topic'] === 'slow') return { status: 503, retryAfter: '2' };
    return { status: 200 };
  });
  await createTopic(broker.bootstrap, 'fast');
  await produce(broker.bootstrap, 'fast', [{ value: 'x' }]);
  const short = new HttpSinkTask();
  let harness = await runSinkTask({
    bootstrap: broker.bootstrap,
    task: short,
    config: { topics: 'fast', 'http.api.url': `${endpoint.url}/short`, 'retry.backoff.ms': '10' },
    topics: ['fast'],
    groupId: 'g-fast',
  });
  await waitFor('delivery', () => short.stats.delivered === 1);
  await harness.stop();
  assert.equal(endpoint.requests.length, 2);
  assert.ok(endpoint.requests[1]!.at - endpoint.requests[0]!.at >= 990, 'waited for Retry-After: 1');

  await createTopic(broker.bootstrap, 'slow');
  await produce(broker.bootstrap, 'slow', [{ value: 'y' }]);
  const config = {
    topics: 'slow',
    'http.api.url': `${endpoint.url}/long`,
    headers: `X-Topic:${'$'}{topic}`,
    'retry.backoff.ms': '10',
    'retry.backoff.max.ms': '500',
    'retry.topics': '100ms',
  };
  const long = new HttpSinkTask();
  harness = await runSinkTask({
    bootstrap: broker.bootstrap,
    task: long,
    config,
    topics: ['slow', ...(httpSinkPlugin.additionalTopics?.(config) ?? [])],
    groupId: 'g-slow',
  });
  await waitFor('delivery from the retry topic', () => long.stats.delivered === 1);
  await harness.stop();
  const longRequests = endpoint.requests.filter((r) => r.path === '/long');
  assert.equal(longRequests.length, 2, 'no in-task retry: the wait was longer than retry.backoff.max.ms');
  assert.equal(longRequests[1]!.headers['x-topic'], 'slow-retry-100ms');
  assert.ok(longRequests[1]!.at - longRequests[0]!.at >= 1990, 'the retry stage waited for Retry-After: 2');
  const [retried] = await readTopic(broker.bootstrap, 'slow-retry-100ms');
  assert.ok(Number(header(retried!.headers, 'samsa.retry.not.before.ms')) >= longRequests[0]!.at + 1990);
  await endpoint.close();
});

test('retry.mode=blocking keeps the order of a partition and pauses it while a batch waits', async () => {
  let failures = 0;
  const endpoint = await startHttpEndpoint((req) => {
    if (ids(req.body).includes(100) && failures < 2) {
      failures++;
      return { status: 503 };
    }
    return { status: 200 };
  });
  const topic = 'ordered';
  await createTopic(broker.bootstrap, topic);
  await produce(
    broker.bootstrap,
    topic,
    Array.from({ length: 300 }, (_, i) => ({ value: JSON.stringify({ id: i }) })),
  );
  const config = {
    topics: topic,
    'http.api.url': `${endpoint.url}/o`,
    'request.body.format': 'json',
    'batch.json.as.array': 'true',
    'batch.max.size': '25',
    'batch.linger.ms': '5',
    'max.retries': '0',
    'retry.topics': '300ms,301ms',
    'retry.mode': 'blocking',
    'dead.letter.topic': 'ordered-dlt',
  };
  assert.deepEqual(httpSinkPlugin.additionalTopics?.(config), [], 'blocking mode reads no retry topics');
  const task = new HttpSinkTask();
  const harness = await runSinkTask({
    bootstrap: broker.bootstrap,
    task,
    config,
    topics: [topic],
    groupId: 'g-ordered',
  });
  await waitFor('300 records', () => task.stats.delivered === 300);
  await harness.stop();
  const tries = endpoint.requests.filter((r) => ids(r.body).includes(100));
  assert.equal(tries.length, 3);
  const successful = endpoint.requests
    .filter((r) => r !== tries[0] && r !== tries[1])
    .flatMap((r) => ids(r.body));
  assert.deepEqual(
    successful,
    Array.from({ length: 300 }, (_, i) => i),
    'delivered once each, in order',
  );
  assert.ok(
    tries[1]!.at - tries[0]!.at >= 295 && tries[2]!.at - tries[1]!.at >= 295,
    'waited each stage delay',
  );
  const pauses = harness.pauses.filter((p) => p.tp === `${topic}/0`);
  assert.ok(pauses[0]?.paused === true && pauses.at(-1)?.paused === false, 'paused, then resumed');
  assert.deepEqual(await readTopic(broker.bootstrap, 'ordered-dlt'), []);
  await endpoint.close();
});
