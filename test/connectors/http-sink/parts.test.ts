/**
 * The HTTP sink's pure parts: configuration checks with Kafka Connect's wording, bodies, templates,
 * status ranges, retry delays and topic names, Retry-After, pending offsets and hand-off headers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ConnectorConfig, type SinkRecord } from '../../../src/connect/api/index.ts';
import { bodyPart, MalformedRecordError, requestBody } from '../../../src/connectors/http-sink/body.ts';
import { crossCheck, HTTP_SINK_CONFIG, httpSinkSettings } from '../../../src/connectors/http-sink/config.ts';
import { retryAfterMs } from '../../../src/connectors/http-sink/http-client.ts';
import { httpSinkPlugin } from '../../../src/connectors/http-sink/index.ts';
import { PendingOffsets } from '../../../src/connectors/http-sink/pending-offsets.ts';
import { handOffRecord, ownHeaders, readRetryInfo } from '../../../src/connectors/http-sink/retry-headers.ts';
import {
  parseDelay,
  parseRetryDelays,
  retryTopicIndex,
} from '../../../src/connectors/http-sink/retry-topics.ts';
import { parseStatusRanges, statusIn } from '../../../src/connectors/http-sink/status-ranges.ts';
import { compileTemplate } from '../../../src/connectors/http-sink/template.ts';

const D = '$';

function record(overrides: Partial<SinkRecord> = {}): SinkRecord {
  return {
    topic: 'orders',
    kafkaPartition: 2,
    keySchema: null,
    key: 'k 1',
    valueSchema: null,
    value: '{"a":1}',
    timestamp: 1000,
    headers: [{ key: 'tenant', value: 'acme' }],
    kafkaOffset: 42n,
    timestampType: 'CreateTime',
    originalTopic: 'orders',
    originalKafkaPartition: 2,
    originalKafkaOffset: 42n,
    raw: {
      key: Buffer.from('k 1'),
      value: Buffer.from('{"a":1}'),
      headers: [['tenant', Buffer.from('acme')]],
      timestamp: 1000,
    },
    ...overrides,
  };
}

test('configuration errors use Kafka Connect’s wording', () => {
  const missing = new ConnectorConfig(HTTP_SINK_CONFIG, {});
  assert.deepEqual(missing.errors.get('http.api.url'), [
    'Missing required configuration "http.api.url" which has no default value.',
  ]);
  const bad = new ConnectorConfig(HTTP_SINK_CONFIG, {
    'http.api.url': 'ftp://x',
    'request.method': 'GET',
    'retry.topics': '1m,soon',
    'batch.max.size': '0',
  });
  assert.match(bad.errors.get('http.api.url')![0]!, /URL must be http:\/\/ or https:\/\//);
  assert.match(bad.errors.get('request.method')![0]!, /String must be one of: POST, PUT, PATCH/);
  assert.match(bad.errors.get('retry.topics')![0]!, /"soon" is not a delay/);
  assert.match(bad.errors.get('batch.max.size')![0]!, /at least 1/);
  assert.deepEqual(
    crossCheck({ 'http.api.url': 'http://x', 'retry.topics': '1m', 'topics.regex': 'a.*' }).get(
      'retry.topics',
    )?.length,
    1,
  );
  assert.match(
    crossCheck({ 'http.api.url': 'http://x', 'auth.type': 'basic' }).get('connection.user')![0]!,
    /needs connection.user/,
  );
  assert.match(
    crossCheck({ 'http.api.url': 'http://x', 'retry.mode': 'blocking' }).get('retry.mode')![0]!,
    /needs retry.topics/,
  );
  assert.match(
    crossCheck({ 'http.api.url': 'http://x', headers: 'novalue' }).get('headers')![0]!,
    /not Name:Value/,
  );
  assert.throws(
    () => httpSinkSettings({ 'http.api.url': 'http://x', 'retry.topics': '1m,1m', topics: 't' }),
    /twice/,
  );
});

test('settings: defaults as in Confluent’s connector, auth headers, separators kept as written', () => {
  const s = httpSinkSettings({
    'http.api.url': 'https://api.example/x',
    'auth.type': 'BEARER',
    'bearer.token': 'tok',
    'batch.separator': '\n',
    topics: 'a, b',
  });
  assert.equal(s.method, 'POST');
  assert.equal(s.batchMaxSize, 1);
  assert.equal(s.maxRetries, 10);
  assert.equal(s.backoffMs, 3000);
  assert.equal(s.separator, '\n');
  assert.deepEqual(s.topics, ['a', 'b']);
  assert.deepEqual(s.headers, [['Authorization', 'Bearer tok']]);
  assert.equal(httpSinkPlugin.aliases?.[0], 'io.confluent.connect.http.HttpSinkConnector');
  assert.deepEqual(httpSinkPlugin.additionalTopics?.({ topics: 'a,b', 'retry.topics': '30s, 5m' }), [
    'a-retry-30s',
    'a-retry-5m',
    'b-retry-30s',
    'b-retry-5m',
  ]);
});

test('bodies: strings joined with prefix/separator/suffix, JSON arrays, malformed JSON rejected per record', () => {
  const string = {
    bodyFormat: 'string',
    jsonArray: false,
    prefix: '[',
    suffix: ']',
    separator: ';',
  } as const;
  assert.equal(
    requestBody(
      ['a', 'b'].map((v) => bodyPart(v, string)),
      string,
    ),
    '[a;b]',
  );
  assert.equal(bodyPart(Buffer.from('bytes'), string), 'bytes');
  assert.equal(bodyPart({ x: 1n }, string), '{"x":1}');
  const json = { bodyFormat: 'json', jsonArray: true, prefix: 'ignored', suffix: '', separator: '' } as const;
  assert.equal(
    requestBody([bodyPart({ a: [1, 'x'] }, json), bodyPart('{"b":2}', json), bodyPart(7, json)], json),
    '[{"a":[1,"x"]},{"b":2},7]',
  );
  assert.equal(bodyPart({ b: Buffer.from('hi') }, json), '{"b":"aGk="}');
  assert.throws(() => bodyPart('nope', json), MalformedRecordError);
  fc.assert(
    // Top-level strings are taken as JSON text, so the generated values are objects, arrays and scalars.
    fc.property(
      fc.array(
        fc.jsonValue().filter((v) => typeof v !== 'string'),
        { maxLength: 20 },
      ),
      (values) => {
        const body = requestBody(
          values.map((v) => bodyPart(v, json)),
          json,
        );
        assert.deepEqual(JSON.parse(body), JSON.parse(JSON.stringify(values)));
      },
    ),
  );
});

test('templates substitute topic, partition, offset, key and headers; URLs get them percent-encoded', () => {
  const r = record();
  assert.equal(
    compileTemplate(`http://h/${D}{topic}/${D}{key}?p=${D}{partition}`, encodeURIComponent)(r),
    'http://h/orders/k%201?p=2',
  );
  assert.equal(compileTemplate(`${D}{header.tenant}-${D}{offset}-${D}{header.none}`)(r), 'acme-42-');
  assert.equal(compileTemplate('plain')(r), 'plain');
  assert.throws(() => compileTemplate(`${D}{nope}`), /unknown variable/);
});

test('status ranges, delays and Retry-After', () => {
  const ranges = parseStatusRanges('408,429,500-');
  assert.deepEqual(
    [408, 429, 500, 503, 599, 400, 404, 200].map((s) => statusIn(ranges, s)),
    [true, true, true, true, true, false, false, false],
  );
  assert.deepEqual(parseStatusRanges('400-404, 418'), [
    [400, 404],
    [418, 418],
  ]);
  assert.throws(() => parseStatusRanges('5xx'), /not a status code/);
  assert.deepEqual(
    [
      parseDelay('500ms'),
      parseDelay('30s'),
      parseDelay('10m'),
      parseDelay('1h'),
      parseDelay('2d'),
      parseDelay('250'),
    ],
    [500, 30_000, 600_000, 3_600_000, 172_800_000, 250],
  );
  assert.deepEqual(
    parseRetryDelays(['1m', '10m']).map((s) => s.label),
    ['1m', '10m'],
  );
  assert.deepEqual(retryTopicIndex(['t'], parseRetryDelays(['1m', '1h'])).get('t-retry-1h'), {
    topic: 't',
    stage: 1,
  });
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(retryAfterMs('soon'), undefined);
  assert.equal(retryAfterMs(undefined), undefined);
});

test('pending offsets: the lowest unfinished offset per partition, whatever the finishing order', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 200 }), fc.infiniteStream(fc.nat()), (n, picks) => {
      const pending = new PendingOffsets();
      const tracker = pending.partition('t', 0);
      // Offsets with gaps (as after compaction or transaction markers): 3 apart.
      const seqs = Array.from({ length: n }, (_, i) => tracker.register(BigInt(i * 3)));
      const open = new Set(Array.from({ length: n }, (_, i) => i));
      const it = picks[Symbol.iterator]();
      while (open.size > 0) {
        const list = [...open];
        const pick = list[(it.next().value as number) % list.length]!;
        open.delete(pick);
        tracker.finish(seqs[pick]!);
        const lowest = open.size === 0 ? undefined : BigInt(Math.min(...open) * 3);
        assert.equal(pending.lowestPending('t', 0), lowest);
        assert.equal(pending.count(), open.size);
      }
    }),
    { numRuns: 50 },
  );
  const pending = new PendingOffsets();
  const old = pending.partition('t', 1);
  const seq = old.register(5n);
  pending.forget('t', 1);
  assert.equal(old.live, false, 'a closed partition ignores late finishes');
  old.finish(seq);
  assert.equal(pending.lowestPending('t', 1), undefined);
  // Long runs compact their arrays and keep counting sequence numbers.
  const long = pending.partition('t', 2);
  const many = Array.from({ length: 10_000 }, (_, i) => long.register(BigInt(i)));
  for (const s of many.slice(0, 9_000)) long.finish(s);
  assert.equal(long.lowest(), 9_000n);
  long.finish(many[9_500]!);
  for (const s of many.slice(9_000, 9_500)) long.finish(s);
  assert.equal(long.lowest(), 9_501n);
});

test('hand-off headers carry the origin and count attempts; a record read back keeps its first failure', () => {
  const context = { connectorName: 'c', taskId: 3, now: 5000 };
  const first = handOffRecord(
    record(),
    null,
    { status: 503, error: 'HTTP 503', notBeforeMs: 9000 },
    { topic: 'orders-retry-1m', deadLetter: false },
    context,
  );
  assert.equal(first.topic, 'orders-retry-1m');
  assert.deepEqual(first.key, Buffer.from('k 1'));
  assert.equal(first.timestamp, 5000);
  const text = Object.fromEntries((first.headers ?? []).map(([k, v]) => [k, v.toString()]));
  assert.deepEqual(text, {
    tenant: 'acme',
    'samsa.retry.original.topic': 'orders',
    'samsa.retry.original.partition': '2',
    'samsa.retry.original.offset': '42',
    'samsa.retry.original.timestamp': '1000',
    'samsa.retry.attempt': '1',
    'samsa.retry.first.failure.ms': '5000',
    'samsa.retry.last.status': '503',
    'samsa.retry.error': 'HTTP 503',
    'samsa.retry.not.before.ms': '9000',
  });
  const readBack = record({
    topic: 'orders-retry-1m',
    originalTopic: 'orders-retry-1m',
    originalKafkaOffset: 7n,
    kafkaOffset: 7n,
    raw: { key: first.key, value: first.value, headers: first.headers ?? [], timestamp: 5000 },
  });
  const info = readRetryInfo(readBack)!;
  assert.equal(info.originalOffset, 42n);
  assert.equal(info.attempt, 1);
  const dead = handOffRecord(
    readBack,
    info,
    { status: 400, error: 'HTTP 400' },
    { topic: 'dlt', deadLetter: true },
    { ...context, now: 8000 },
  );
  const deadText = Object.fromEntries((dead.headers ?? []).map(([k, v]) => [k, v.toString()]));
  assert.equal(deadText['samsa.retry.attempt'], '2');
  assert.equal(deadText['samsa.retry.first.failure.ms'], '5000');
  assert.equal(deadText['samsa.retry.original.offset'], '42');
  assert.equal(deadText['samsa.retry.not.before.ms'], undefined);
  assert.equal(deadText['__connect.errors.topic'], 'orders');
  assert.equal(deadText['__connect.errors.task.id'], '3');
  assert.deepEqual(
    ownHeaders(dead.headers ?? []).map(([k]) => k),
    ['tenant'],
  );
  assert.equal(readRetryInfo(record()), null);
});
