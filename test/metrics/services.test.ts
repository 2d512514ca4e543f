/**
 * `/metrics` of the platform services (issue 17 §1): a Connect worker running a FileStreamSource,
 * the schema registry after registering a schema, the HTTP proxy after producing and consuming
 * through it, and an emitter's metrics registered on an app's own registry. Each scrape is parsed
 * with a real Prometheus text parser and must show what was just done.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createEmitter, registerEmitterMetrics } from '../../src/emit/index.ts';
import { createRegistry } from '../../src/metrics/index.ts';
import { type RunningProxy, startProxy } from '../../src/proxy/index.ts';
import { type RegistryServer, startRegistry } from '../../src/registry/index.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { allRunning, startConnect, type TestConnect } from '../helpers/connect.ts';
import { type Family, sampleValue, scrape } from '../helpers/prometheus.ts';
import { createTopics } from '../proxy/helpers.ts';

let broker: TestBroker;
let connect: TestConnect;
let registry: RegistryServer;
let proxy: RunningProxy;

before(async () => {
  broker = await startBroker();
  await createTopics(broker.bootstrap, ['metrics-proxy'], 1);
  [connect, registry, proxy] = await Promise.all([
    startConnect({ bootstrap: broker.bootstrap }),
    startRegistry({ connection: { bootstrapBrokers: [broker.bootstrap] }, port: 0 }),
    startProxy({ connection: { bootstrapBrokers: [broker.bootstrap] }, port: 0 }),
  ]);
});

after(async () => {
  await Promise.all([connect?.stop(), registry?.stop(), proxy?.stop()]);
  await broker?.stop();
});

/** Scrapes until `check` passes (counters fed by background work), at most 20 s. */
async function scrapeUntil(
  url: string,
  check: (m: Map<string, Family>) => boolean,
): Promise<Map<string, Family>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = await scrape(url);
    if (check(m) || Date.now() > deadline) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('Connect worker: connector and task states, records polled and written', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'samsa-metrics-')), 'in.txt');
  writeFileSync(file, 'one\ntwo\nthree\n');
  const created = await connect.call('POST', '/connectors', {
    name: 'lines-src',
    config: { 'connector.class': 'FileStreamSource', file, topic: 'metrics-lines' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await connect.waitForStatus('lines-src', allRunning());
  const task = { connector: 'lines-src', task: '0' };
  const written = 'kafka_connect_source_task_metrics_source_record_write_total';
  const m = await scrapeUntil(`${connect.restUrl}/metrics`, (s) => sampleValue(s, written, task) === 3);
  assert.equal(sampleValue(m, written, task), 3);
  assert.equal(sampleValue(m, 'kafka_connect_source_task_metrics_source_record_poll_total', task), 3);
  assert.equal(sampleValue(m, 'kafka_connect_worker_connector_count'), 1);
  assert.equal(sampleValue(m, 'kafka_connect_worker_task_count'), 1);
  assert.equal(
    sampleValue(m, 'kafka_connect_connector_status', {
      connector: 'lines-src',
      type: 'source',
      status: 'RUNNING',
    }),
    1,
  );
  assert.equal(sampleValue(m, 'kafka_connect_connector_task_status', { ...task, status: 'RUNNING' }), 1);
  assert.ok(sampleValue(m, 'kafka_connect_rest_requests_total', { method: 'POST', status: '201' })! >= 1);
  assert.ok(m.has('process_resident_memory_bytes'));
});

test('schema registry: requests, subjects, registered schemas, primary role', async () => {
  const res = await fetch(`${registry.url}/subjects/metrics-value/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({
      schema: JSON.stringify({ type: 'record', name: 'M', fields: [{ name: 'a', type: 'int' }] }),
    }),
  });
  assert.equal(res.status, 200, await res.text());
  const m = await scrape(`${registry.url}/metrics`);
  assert.equal(sampleValue(m, 'kafka_schema_registry_subjects'), 1);
  assert.equal(sampleValue(m, 'kafka_schema_registry_registered_count', { schema_type: 'AVRO' }), 1);
  assert.equal(sampleValue(m, 'kafka_schema_registry_master_slave_role'), 1);
  assert.equal(sampleValue(m, 'kafka_schema_registry_requests_total', { method: 'POST', status: '200' }), 1);
});

test('HTTP proxy: records produced and consumed per topic, consumer instances', async () => {
  const v2 = 'application/vnd.kafka.json.v2+json';
  const produced = await fetch(`${proxy.url}/topics/metrics-proxy`, {
    method: 'POST',
    headers: { 'content-type': v2 },
    body: JSON.stringify({ records: [{ value: { n: 1 } }, { value: { n: 2 } }, { value: { n: 3 } }] }),
  });
  assert.equal(produced.status, 200, await produced.text());
  const base = `${proxy.url}/consumers/metrics-g`;
  const created = await fetch(base, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.kafka.v2+json' },
    body: JSON.stringify({ name: 'c1', format: 'json', 'auto.offset.reset': 'earliest' }),
  });
  assert.equal(created.status, 200, await created.text());
  const instance = `${base}/instances/c1`;
  const subscribed = await fetch(`${instance}/subscription`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.kafka.v2+json' },
    body: JSON.stringify({ topics: ['metrics-proxy'] }),
  });
  assert.equal(subscribed.status, 204);
  let got = 0;
  const deadline = Date.now() + 20_000;
  while (got < 3 && Date.now() < deadline) {
    const r = await fetch(`${instance}/records?timeout=1000`, { headers: { accept: v2 } });
    got += ((await r.json()) as unknown[]).length;
  }
  assert.equal(got, 3);
  const m = await scrape(`${proxy.url}/metrics`);
  assert.equal(sampleValue(m, 'kafka_rest_records_produced_total', { topic: 'metrics-proxy' }), 3);
  assert.equal(sampleValue(m, 'kafka_rest_records_produce_errors_total', { topic: 'metrics-proxy' }), 0);
  assert.equal(sampleValue(m, 'kafka_rest_records_consumed_total', { topic: 'metrics-proxy' }), 3);
  assert.equal(sampleValue(m, 'kafka_rest_consumer_instances'), 1);
  await fetch(instance, { method: 'DELETE' });
});

test("emitter: its metrics on the app's own registry", async () => {
  const emitter = createEmitter({ bootstrap: broker.bootstrap, topic: 'metrics-events', lingerMs: 2 });
  const appRegistry = createRegistry({ processMetrics: false });
  registerEmitterMetrics(emitter, appRegistry);
  for (let i = 0; i < 4; i++) emitter.emit('thing.happened', { i });
  assert.equal(await emitter.flush(20_000), true);
  await emitter.close();
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => {
    appRegistry.metrics().then((text) => res.writeHead(200, { 'content-type': 'text/plain' }).end(text));
  }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const port = (server.address() as { port: number }).port;
    const m = await scrape(`http://127.0.0.1:${port}/metrics`);
    assert.equal(sampleValue(m, 'samsa_emitter_emitted_total'), 4);
    assert.equal(sampleValue(m, 'samsa_emitter_delivered_total'), 4);
    assert.equal(sampleValue(m, 'samsa_emitter_delivery_latency_ms_count'), 4);
    assert.equal(sampleValue(m, 'samsa_emitter_delivery_latency_ms_bucket', { le: '+Inf' }), 4);
  } finally {
    server.close();
  }
});
