/**
 * The HTTP sink run by the Connect runtime, end to end: the plugin is listed under its own and
 * Confluent's class names and validated with Kafka Connect's answer format; then 5,000 records go
 * through an endpoint that fails 20% of requests with 500/503/429 and 5% with 400 while the
 * `samsa connect` process running the task is killed with SIGKILL mid-run and another worker takes
 * over: every record is delivered or in the dead-letter topic, none retried before its delay.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBroker, type TestBroker } from '../../../src/testing/index.ts';
import { allRunning } from '../../helpers/connect.ts';
import { type ChildWorker, startChildWorker } from '../../helpers/connect-child.ts';
import { type HttpEndpoint, startHttpEndpoint } from '../../helpers/http-endpoint.ts';
import { createTopic, produce } from '../../helpers/produce.ts';
import { readTopic } from '../../helpers/sink-harness.ts';

const STRING = 'org.apache.kafka.connect.storage.StringConverter';
let broker: TestBroker;
let endpoint: HttpEndpoint;
const workers: ChildWorker[] = [];

before(async () => {
  broker = await startBroker({ numPartitions: 1 });
});
after(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  await endpoint?.close();
  await broker.stop();
});

async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const header = (headers: readonly [Buffer, Buffer | null][], name: string): string | undefined =>
  headers.find(([k]) => k.toString() === name)?.[1]?.toString();
const idOf = (value: Buffer | null): number => (JSON.parse(value!.toString()) as { id: number }).id;

test('listed and validated like a Kafka Connect plugin; 5,000 records through a failing endpoint, the worker process killed -9 mid-run and another taking over', async (t) => {
  const total = 5000;
  const delivered = new Map<number, number>();
  let n = 0;
  endpoint = await startHttpEndpoint((req) => {
    const r = ((n++ * 2654435761) % 1000) / 1000;
    if (r < 0.2) return { status: [500, 503, 429][n % 3]! };
    if (r < 0.25) return { status: 400 };
    for (const { id } of JSON.parse(req.body) as { id: number }[])
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
    return { status: 200 };
  });
  await createTopic(broker.bootstrap, 'clicks', 3);
  await produce(
    broker.bootstrap,
    'clicks',
    Array.from({ length: total }, (_, i) => ({
      key: `u${i % 50}`,
      value: JSON.stringify({ id: i }),
      partition: i % 3,
    })),
  );
  const first = await startChildWorker(broker.bootstrap, 'http-e2e');
  workers.push(first);
  // Listed under its class name, validated with Kafka Connect's answer format.
  const plugins = await first.call<{ class: string; type: string }[]>('GET', '/connector-plugins');
  assert.ok(
    plugins.body.some((p) => p.class === 'samsa.connect.http.HttpSinkConnector' && p.type === 'sink'),
  );
  const validated = await first.call<{
    error_count: number;
    configs: { value: { name: string; errors: string[] } }[];
  }>('PUT', '/connector-plugins/io.confluent.connect.http.HttpSinkConnector/config/validate', {
    'connector.class': 'io.confluent.connect.http.HttpSinkConnector',
    name: 'x',
    'topics.regex': 'a.*',
    'http.api.url': 'not a url',
    'retry.topics': '1m',
  });
  assert.equal(validated.status, 200);
  const errors = Object.fromEntries(validated.body.configs.map((c) => [c.value.name, c.value.errors]));
  assert.match(errors['http.api.url']![0]!, /Not a valid URL/);
  assert.ok(validated.body.error_count >= 1);
  const crossChecked = await first.call<{ configs: { value: { name: string; errors: string[] } }[] }>(
    'PUT',
    '/connector-plugins/samsa.connect.http.HttpSinkConnector/config/validate',
    {
      'connector.class': 'samsa.connect.http.HttpSinkConnector',
      name: 'x',
      'topics.regex': 'a.*',
      'http.api.url': 'http://127.0.0.1:1/x',
      'retry.topics': '1m',
    },
  );
  const retryErrors =
    crossChecked.body.configs.find((c) => c.value.name === 'retry.topics')?.value.errors ?? [];
  assert.match(retryErrors.join(), /topics.regex is not supported with retry topics/);
  const created = await first.call('POST', '/connectors', {
    name: 'clicks-http',
    config: {
      'connector.class': 'io.confluent.connect.http.HttpSinkConnector',
      'tasks.max': '2',
      topics: 'clicks',
      'key.converter': STRING,
      'value.converter': STRING,
      'http.api.url': `${endpoint.url}/bulk`,
      'request.body.format': 'json',
      'batch.json.as.array': 'true',
      'batch.max.size': '50',
      'batch.linger.ms': '20',
      'max.in.flight.requests': '8',
      headers: `X-Topic:${'$'}{topic}`,
      'max.retries': '0',
      'retry.topics': '1s,2s',
      'dead.letter.topic': 'clicks-dlt',
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await first.waitForStatus('clicks-http', allRunning(2), 30_000);
  await waitFor('a third delivered', () => delivered.size >= total / 3);
  await first.kill('SIGKILL');
  const second = await startChildWorker(broker.bootstrap, 'http-e2e');
  workers.push(second);
  let dlt: Awaited<ReturnType<typeof readTopic>> = [];
  await waitFor(
    'every record delivered or dead-lettered',
    async () => {
      if (delivered.size < total * 0.6) return false;
      dlt = await readTopic(broker.bootstrap, 'clicks-dlt');
      const dead = new Set(dlt.map((r) => idOf(r.value)));
      for (let i = 0; i < total; i++) if (!delivered.has(i) && !dead.has(i)) return false;
      return true;
    },
    90_000,
  );
  const status = await second.waitForStatus('clicks-http', allRunning(2));
  assert.ok(status.tasks.every((task) => task.worker_id === second.restUrl.replace('http://', '')));
  await second.kill();

  const dead = new Map(dlt.map((r) => [idOf(r.value), r]));
  assert.equal(new Set([...delivered.keys(), ...dead.keys()]).size, total, 'nothing lost');
  const duplicates = [...delivered.values()].reduce((s, c) => s + c - 1, 0);
  t.diagnostic(`delivered ${delivered.size}, dead-lettered ${dead.size}, ${duplicates} duplicate deliveries`);
  for (const [id, record] of dead) {
    assert.equal(header(record.headers, 'samsa.retry.original.topic'), 'clicks');
    assert.equal(header(record.headers, 'samsa.retry.original.partition'), String(id % 3));
    assert.equal(header(record.headers, 'samsa.retry.original.offset'), String(Math.floor(id / 3)));
    assert.equal(header(record.headers, '__connect.errors.connector.name'), 'clicks-http');
  }
  for (const [stageTopic, delay] of [
    ['clicks-retry-1s', 1000],
    ['clicks-retry-2s', 2000],
  ] as const) {
    const written = new Map<number, number>();
    for (const r of await readTopic(broker.bootstrap, stageTopic)) {
      const id = idOf(r.value);
      written.set(id, Math.min(written.get(id) ?? Number.POSITIVE_INFINITY, Number(r.timestamp)));
    }
    const retries = endpoint.requests.filter((r) => r.headers['x-topic'] === stageTopic);
    t.diagnostic(`${stageTopic}: ${written.size} records, ${retries.length} requests`);
    if (delay === 1000) assert.ok(retries.length > 0, 'the first stage was used');
    for (const request of retries)
      for (const { id } of JSON.parse(request.body) as { id: number }[])
        assert.ok(request.at >= written.get(id)! + delay - 5, `${stageTopic}: id ${id} retried too early`);
  }
});
