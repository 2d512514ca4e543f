/**
 * Broker Prometheus metrics end to end (issue 17 §1): kcat produces and consumes, a
 * confluent-kafka consumer group commits part way, an oversized record is refused; the scraped
 * `/metrics` text, parsed by a real Prometheus text parser, shows the same numbers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/broker/config.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { startBrokerProcess } from '../helpers/broker-process.ts';
import { type Family, sampleValue, scrape } from '../helpers/prometheus.ts';
import { run, runPython } from '../helpers/run.ts';

const TOPIC = 'metrics-orders';
const BIG_TOPIC = 'metrics-big';
const GROUP = 'metrics-group';
const N = 60;
const COMMITTED = 25;

let broker: TestBroker;
let metrics: Map<string, Family>;

before(async () => {
  broker = await startBroker({
    metrics: true,
    messageMaxBytes: 4096,
    listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
    scramUsers: ['alice:alice-secret'],
  });
  const lines = Array.from({ length: N }, (_, i) => `key-${i}:value-${i}`);
  const produced = await run('kcat', ['-b', broker.bootstrap, '-P', '-t', TOPIC, '-p', '0', '-K', ':'], {
    input: `${lines.join('\n')}\n`,
    timeoutMs: 60_000,
  });
  assert.equal(produced.code, 0, produced.stderr);
  const consumed = await run(
    'kcat',
    ['-b', broker.bootstrap, '-C', '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n'],
    { timeoutMs: 60_000 },
  );
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal(consumed.stdout.trim().split('\n').length, N);
  // Larger than message.max.bytes: refused by the broker (librdkafka's own limit is 1 MB).
  await run(
    'kcat',
    ['-b', broker.bootstrap, '-P', '-t', BIG_TOPIC, '-p', '0', '-X', 'message.send.max.retries=0'],
    {
      input: `${'x'.repeat(10_000)}\n`,
      timeoutMs: 60_000,
    },
  );
  const group = await runPython(
    `
import sys
from confluent_kafka import Consumer, TopicPartition
bootstrap, topic, group, want = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
              "auto.offset.reset": "earliest"})
c.subscribe([topic])
seen = 0
while seen < want:
    m = c.poll(10)
    if m is None:
        sys.exit("no record within 10 s")
    if m.error() is None:
        seen += 1
c.commit(offsets=[TopicPartition(topic, 0, want)], asynchronous=False)
c.close()
print("ok")
`,
    [broker.bootstrap, TOPIC, GROUP, String(COMMITTED)],
    60_000,
  );
  assert.equal(group.stdout.trim(), 'ok', group.stderr);
  metrics = await scrape(broker.metricsUrl!);
});

after(async () => {
  await broker?.stop();
});

test('messages and bytes in and out per topic match what kcat produced and consumed', () => {
  const topic = { topic: TOPIC };
  assert.equal(sampleValue(metrics, 'kafka_server_brokertopicmetrics_messagesin_total', topic), N);
  const bytesIn = sampleValue(metrics, 'kafka_server_brokertopicmetrics_bytesin_total', topic)!;
  // The log holds exactly the batches the producer sent.
  assert.equal(bytesIn, sampleValue(metrics, 'kafka_log_log_size', { topic: TOPIC, partition: '0' }));
  assert.ok(bytesIn > N * 'value-0'.length, `bytes in ${bytesIn}`);
  // kcat and the group consumer both read batches; each read all of them at least once.
  const bytesOut = sampleValue(metrics, 'kafka_server_brokertopicmetrics_bytesout_total', topic)!;
  assert.ok(bytesOut >= 2 * bytesIn, `bytes out ${bytesOut} for ${bytesIn} in, read twice`);
  assert.equal(sampleValue(metrics, 'kafka_server_brokertopicmetrics_failedproducerequests_total', topic), 0);
  assert.equal(sampleValue(metrics, 'kafka_server_brokertopicmetrics_bytesrejected_total', topic), 0);
});

test('log offsets per partition', () => {
  const p = { topic: TOPIC, partition: '0' };
  assert.equal(sampleValue(metrics, 'kafka_log_log_logendoffset', p), N);
  assert.equal(sampleValue(metrics, 'kafka_log_log_logstartoffset', p), 0);
  assert.equal(sampleValue(metrics, 'kafka_topic_partitions', { topic: TOPIC }), 1);
});

test('a refused oversized record counts as a failed produce and rejected bytes', () => {
  const topic = { topic: BIG_TOPIC };
  assert.ok(sampleValue(metrics, 'kafka_server_brokertopicmetrics_failedproducerequests_total', topic)! >= 1);
  assert.ok(sampleValue(metrics, 'kafka_server_brokertopicmetrics_bytesrejected_total', topic)! > 10_000);
  assert.equal(sampleValue(metrics, 'kafka_server_brokertopicmetrics_messagesin_total', topic), 0);
  assert.equal(sampleValue(metrics, 'kafka_log_log_logendoffset', { topic: BIG_TOPIC, partition: '0' }), 0);
});

test('consumer group lag, committed offset, state and members', () => {
  const p = { consumergroup: GROUP, topic: TOPIC, partition: '0' };
  assert.equal(sampleValue(metrics, 'kafka_consumergroup_current_offset', p), COMMITTED);
  assert.equal(sampleValue(metrics, 'kafka_consumergroup_lag', p), N - COMMITTED);
  assert.equal(sampleValue(metrics, 'kafka_consumergroup_members', { consumergroup: GROUP }), 0);
  assert.equal(
    sampleValue(metrics, 'kafka_consumergroup_state', { consumergroup: GROUP, state: 'Empty' }),
    1,
  );
  assert.ok(
    sampleValue(metrics, 'kafka_coordinator_group_groupmetadatamanager_numgroups', { state: 'Empty' })! >= 1,
  );
});

test('requests and their time per API, purgatories, process metrics', async () => {
  for (const request of ['Produce', 'Fetch', 'Metadata', 'JoinGroup', 'OffsetCommit']) {
    const n = sampleValue(metrics, 'kafka_network_requestmetrics_requests_total', { request });
    assert.ok(n !== undefined && n >= 1, `${request}: ${n}`);
    const time = 'kafka_network_requestmetrics_totaltimems';
    assert.equal(sampleValue(metrics, `${time}_count`, { request }), n);
    assert.equal(sampleValue(metrics, `${time}_bucket`, { request, le: '+Inf' }), n);
    assert.ok(sampleValue(metrics, `${time}_sum`, { request })! > 0);
  }
  assert.equal(metrics.get('kafka_network_requestmetrics_totaltimems')?.type, 'HISTOGRAM');
  for (const delayedoperation of ['Fetch', 'Produce'])
    assert.equal(
      sampleValue(metrics, 'kafka_server_delayedoperationpurgatory_purgatorysize', { delayedoperation }),
      0,
    );
  assert.ok(metrics.has('process_cpu_user_seconds_total'));
  assert.ok(metrics.has('nodejs_eventloop_lag_seconds'));
  // A connection open while scraping is counted on its listener.
  const consumer = await run('kcat', ['-b', broker.bootstrap, '-L', '-t', TOPIC], { timeoutMs: 30_000 });
  assert.equal(consumer.code, 0, consumer.stderr);
  const socket = await import('node:net').then((net) => net.connect(broker.port, '127.0.0.1'));
  await new Promise((resolve) => socket.once('connect', resolve));
  const now = await scrape(broker.metricsUrl!);
  assert.ok(
    sampleValue(now, 'kafka_server_socketservermetrics_connection_count', { listener: 'PLAINTEXT' })! >= 1,
  );
  socket.destroy();
});

test('metrics.port is a setting with its flag, env variable and Kafka-style name', () => {
  assert.equal(loadConfig({ 'metrics-port': '9700' }).metricsPort, 9700);
  assert.equal(loadConfig({}, { SAMSA_METRICS_PORT: '0' }).metricsPort, 0);
  assert.equal(loadConfig({}).metricsPort, undefined);
  assert.throws(() => loadConfig({ 'metrics-port': '70000' }), /metrics-port must be <= 65535/);
});

test('every metric the broker serves and the Grafana dashboard uses is documented', () => {
  const docs = readFileSync(join(import.meta.dirname, '../../docs/metrics.md'), 'utf8');
  const served = [...metrics.keys()].filter(
    (n) => !n.startsWith('process_') && !n.startsWith('nodejs_') && !/_(bucket|sum|count)$/.test(n),
  );
  assert.deepEqual(
    served.filter((n) => !docs.includes(`\`${n}\``)),
    [],
  );
  const dashboard = readFileSync(
    join(import.meta.dirname, '../../docs/grafana/samsa-dashboard.json'),
    'utf8',
  );
  const used = new Set(
    [...dashboard.matchAll(/\b((?:kafka|samsa)_[a-z_]+)/g)].map((m) => m[1]!.replace(/_bucket$/, '')),
  );
  assert.ok(used.size > 15);
  assert.deepEqual(
    [...used].filter((n) => !docs.includes(`\`${n}\``)),
    [],
  );
  JSON.parse(dashboard);
});

test('samsa start on port 0 serves metrics on a free port and prints where; --metrics-port 0 turns them off', async () => {
  for (const extra of [[], ['--metrics-port', '0']]) {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-metrics-start-'));
    const broker = await startBrokerProcess(dir, ['--no-connect', '--no-registry', '--no-proxy', ...extra]);
    try {
      if (extra.length === 0) {
        const deadline = Date.now() + 10_000;
        let m: RegExpExecArray | null = null;
        while (
          !(m = /Metrics on (http:\/\/127\.0\.0\.1:(\d+)\/metrics)/.exec(broker.output())) &&
          Date.now() < deadline
        )
          await new Promise((r) => setTimeout(r, 50));
        assert.ok(m, broker.output());
        assert.notEqual(Number(m[2]), 9644);
        const scraped = await scrape(m[1]!);
        assert.ok(scraped.has('kafka_server_brokertopicmetrics_messagesin_total'));
      } else {
        assert.doesNotMatch(broker.output(), /Metrics on/);
      }
    } finally {
      assert.equal(await broker.stop(), 0, broker.output());
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('SASL authentications that fail and succeed are counted on their listener', async () => {
  const sasl = broker.listeners.find((l) => l.protocol === 'SASL_PLAINTEXT')!;
  const login = (password: string) =>
    run(
      'kcat',
      [
        '-b',
        `127.0.0.1:${sasl.port}`,
        '-X',
        'security.protocol=SASL_PLAINTEXT',
        '-X',
        'sasl.mechanisms=SCRAM-SHA-256',
        '-X',
        'sasl.username=alice',
        '-X',
        `sasl.password=${password}`,
        '-m',
        '3',
        '-L',
      ],
      { timeoutMs: 30_000 },
    );
  const [good, bad] = await Promise.all([login('alice-secret'), login('wrong')]);
  assert.equal(good.code, 0, good.stderr);
  assert.notEqual(bad.code, 0);
  const now = await scrape(broker.metricsUrl!);
  const listener = { listener: 'SASL_PLAINTEXT' };
  assert.ok(sampleValue(now, 'kafka_server_socketservermetrics_failed_authentication_total', listener)! >= 1);
  assert.ok(
    sampleValue(now, 'kafka_server_socketservermetrics_successful_authentication_total', listener)! >= 1,
  );
});

test('a consumer waiting in a long poll shows in the Fetch purgatory', async () => {
  const tail = spawn(
    'kcat',
    ['-b', broker.bootstrap, '-C', '-t', TOPIC, '-p', '0', '-o', 'end', '-q', '-X', 'fetch.wait.max.ms=5000'],
    { stdio: 'ignore' },
  );
  try {
    const purgatory = { delayedoperation: 'Fetch' };
    const name = 'kafka_server_delayedoperationpurgatory_purgatorysize';
    const deadline = Date.now() + 15_000;
    let waiting = 0;
    while (waiting < 1 && Date.now() < deadline) {
      waiting = sampleValue(await scrape(broker.metricsUrl!), name, purgatory) ?? 0;
      if (waiting < 1) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(waiting, 1);
  } finally {
    tail.kill('SIGKILL');
  }
});
