/**
 * REST Proxy API v3 over plain HTTP: clusters and topics listings in Confluent's shapes, and
 * records produce — one record, and the streaming mode (a chunked body of many JSON objects sent
 * over time, one result per record in order, a bad record answered in its place) read back with
 * kcat.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { type RunningProxy, startProxy } from '../../src/proxy/index.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { run } from '../helpers/run.ts';
import { createTopics, http } from './helpers.ts';

let broker: TestBroker;
let proxy: RunningProxy;
let url: string;
let cluster: string;

before(async () => {
  broker = await startBroker();
  await createTopics(broker.bootstrap, ['events', 'stream'], 2);
  proxy = await startProxy({ connection: { bootstrapBrokers: [broker.bootstrap] }, port: 0 });
  url = proxy.url;
  cluster = ((await http(url, 'GET', '/v3/clusters')).json as { data: { cluster_id: string }[] }).data[0]!
    .cluster_id;
});
after(async () => {
  await proxy?.stop();
  await broker?.stop();
});

describe('v3 clusters and topics', () => {
  it('lists the cluster and its topics with Confluent kinds and links', async () => {
    const clusters = await http(url, 'GET', '/v3/clusters');
    assert.equal(clusters.type, 'application/json');
    const list = clusters.json as {
      kind: string;
      metadata: { self: string };
      data: Record<string, unknown>[];
    };
    assert.equal(list.kind, 'KafkaClusterList');
    assert.equal(list.metadata.self, `${url}/v3/clusters`);
    assert.equal(list.data[0]!.kind, 'KafkaCluster');
    assert.deepEqual(list.data[0]!.topics, { related: `${url}/v3/clusters/${cluster}/topics` });
    assert.equal(
      ((await http(url, 'GET', `/v3/clusters/${cluster}`)).json as { cluster_id: string }).cluster_id,
      cluster,
    );

    const topics = (await http(url, 'GET', `/v3/clusters/${cluster}/topics`)).json as {
      kind: string;
      data: {
        kind: string;
        topic_name: string;
        partitions_count: number;
        replication_factor: number;
        is_internal: boolean;
      }[];
    };
    assert.equal(topics.kind, 'KafkaTopicList');
    const events = topics.data.find((t) => t.topic_name === 'events')!;
    assert.deepEqual(
      [events.kind, events.partitions_count, events.replication_factor, events.is_internal],
      ['KafkaTopic', 2, 1, false],
    );
    const one = (await http(url, 'GET', `/v3/clusters/${cluster}/topics/events`)).json as {
      topic_name: string;
    };
    assert.equal(one.topic_name, 'events');

    const wrongCluster = await http(url, 'GET', '/v3/clusters/nope/topics');
    assert.equal(wrongCluster.status, 404);
    const unknownTopic = await http(url, 'GET', `/v3/clusters/${cluster}/topics/nope`);
    assert.equal(unknownTopic.status, 404);
  });
});

describe('v3 records', () => {
  it('one record: JSON key and value, headers and timestamp, read back with kcat', async () => {
    const res = await http(url, 'POST', `/v3/clusters/${cluster}/topics/events/records`, {
      type: 'application/json',
      body: {
        partition_id: 1,
        headers: [{ name: 'trace', value: Buffer.from('abc').toString('base64') }],
        key: { type: 'STRING', data: 'user-1' },
        value: { type: 'JSON', data: { clicked: true } },
        timestamp: '2026-01-02T03:04:05.000Z',
      },
    });
    assert.equal(res.status, 200);
    const out = res.json as Record<string, unknown>;
    assert.deepEqual(out, {
      error_code: 200,
      cluster_id: cluster,
      topic_name: 'events',
      partition_id: 1,
      offset: 0,
      timestamp: '2026-01-02T03:04:05.000Z',
      key: { type: 'STRING', size: 6 },
      value: { type: 'JSON', size: 16 },
    });
    const read = await run('kcat', [
      '-b',
      broker.bootstrap,
      '-C',
      '-t',
      'events',
      '-p',
      '1',
      '-o',
      '0',
      '-c',
      '1',
      '-e',
      '-q',
      '-f',
      '%k %s %h %T\\n',
    ]);
    assert.equal(
      read.stdout,
      `user-1 {"clicked":true} trace=abc ${Date.parse('2026-01-02T03:04:05.000Z')}\n`,
    );
  });

  it('streaming mode: a chunked body of 2,000 records sent over time gets 2,000 results in order; a bad record is answered in its place', async () => {
    const total = 2000;
    const bad = 777;
    async function* body(): AsyncGenerator<string> {
      for (let i = 0; i < total; i += 100) {
        let chunk = '';
        for (let j = i; j < i + 100; j++) {
          chunk +=
            j === bad
              ? '{"value": {"type": "AVRO", "data": 1}}\n'
              : `${JSON.stringify({ key: { type: 'BINARY', data: Buffer.from(`k${j % 5}`).toString('base64') }, value: { data: { seq: j } } })}\n`;
        }
        yield chunk;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    const res = await request(`${url}/v3/clusters/${cluster}/topics/stream/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' }, // a stream body is sent chunked
      body: Readable.from(body()),
    });
    assert.equal(res.statusCode, 200);
    const text = await res.body.text();
    const results = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(
        (l) =>
          JSON.parse(l) as { error_code: number; partition_id: number; offset: number; message?: string },
      );
    assert.equal(results.length, total);
    // AVRO without a schema means the subject's latest version, which needs a registry (none here).
    assert.equal(results[bad]!.error_code, 415);
    assert.match(results[bad]!.message!, /needs a schema registry/);
    const byPartition = new Map<number, number[]>();
    results.forEach((r, i) => {
      if (i === bad) return;
      assert.equal(r.error_code, 200, `record ${i}`);
      byPartition.set(r.partition_id, [...(byPartition.get(r.partition_id) ?? []), r.offset]);
    });
    for (const offsets of byPartition.values()) {
      assert.deepEqual(
        offsets,
        Array.from({ length: offsets.length }, (_, i) => i),
        'offsets count up from 0 per partition',
      );
    }
    const read = await run('kcat', [
      '-b',
      broker.bootstrap,
      '-C',
      '-t',
      'stream',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%s\\n',
    ]);
    const seqs = read.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { seq: number }).seq)
      .sort((a, b) => a - b);
    assert.deepEqual(
      seqs,
      Array.from({ length: total }, (_, i) => i).filter((i) => i !== bad),
    );
  });

  it('errors per record: bad JSON, bad base64, a partition that does not exist', async () => {
    const res = await http(url, 'POST', `/v3/clusters/${cluster}/topics/events/records`, {
      type: 'application/json',
      body: '{"value": {"type": "BINARY", "data": "%%%"}} {"partition_id": 9, "value": {"data": 1}} {"value": {"type": "STRING", "data": "ok"}}',
    });
    const results = res.text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { error_code: number });
    assert.deepEqual(
      results.map((r) => r.error_code),
      [400, 40402, 200],
    );
    const unknown = await http(url, 'POST', `/v3/clusters/${cluster}/topics/nope/records`, {
      type: 'application/json',
      body: { value: { data: 1 } },
    });
    assert.deepEqual([unknown.status, (unknown.json as { error_code: number }).error_code], [404, 404]);
  });
});
