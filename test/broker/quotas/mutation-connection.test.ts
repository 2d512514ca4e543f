/**
 * request_percentage, controller_mutation_rate and connection_creation_rate on the wire: a client
 * over its share of request time gets a throttle time on any request; CreateTopics v7 past the rate
 * is refused with THROTTLING_QUOTA_EXCEEDED and a throttle time, v5 (before the error existed) is
 * accepted and throttled; connections from an address over its rate are closed at once while the
 * ones before it keep working.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { ErrorCode } from '../../../src/protocol/errors.ts';
import { writeCreateTopicsRequest } from '../../../src/protocol/generated/messages/create-topics-request.ts';
import { readCreateTopicsResponse } from '../../../src/protocol/generated/messages/create-topics-response.ts';
import {
  defaultMetadataRequest,
  writeMetadataRequest,
} from '../../../src/protocol/generated/messages/metadata-request.ts';
import { readMetadataResponse } from '../../../src/protocol/generated/messages/metadata-response.ts';
import { startBroker, type TestBroker } from '../../../src/testing/index.ts';
import { WireClient } from '../kafka-wire.ts';

let broker: TestBroker;
let admin: Admin;

before(async () => {
  broker = await startBroker({ quotaWindowNum: 3 });
  admin = new Admin({ clientId: 'quota-admin', bootstrapBrokers: [broker.bootstrap] });
});
after(async () => {
  await admin?.close();
  await broker?.stop();
});

async function createTopic(c: WireClient, version: number, name: string, partitions: number) {
  const r = await c.request(19, version, (w) =>
    writeCreateTopicsRequest(w, version, {
      topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    }),
  );
  const res = readCreateTopicsResponse(r, version);
  return { throttleTimeMs: res.throttleTimeMs, errorCode: res.topics[0]!.errorCode };
}

it('throttles a client over its request_percentage, whatever it asks', async () => {
  await admin.alterClientQuotas({
    entries: [
      {
        entities: [{ entityType: 'client-id', entityName: 'wire-test' }],
        ops: [{ key: 'request_percentage', value: 0.0001, remove: false }],
      },
    ],
  });
  const c = await WireClient.open(broker.port);
  try {
    const r = await c.request(3, 12, (w) => writeMetadataRequest(w, 12, defaultMetadataRequest()));
    assert.ok(readMetadataResponse(r, 12).throttleTimeMs > 0, 'Metadata answered with a throttle time');
  } finally {
    c.close();
    await admin.alterClientQuotas({
      entries: [
        {
          entities: [{ entityType: 'client-id', entityName: 'wire-test' }],
          ops: [{ key: 'request_percentage', remove: true }],
        },
      ],
    });
  }
});

it('refuses partition creation past controller_mutation_rate (strict from CreateTopics v6)', async () => {
  await admin.alterClientQuotas({
    entries: [
      {
        entities: [{ entityType: 'client-id', entityName: 'wire-test' }],
        ops: [{ key: 'controller_mutation_rate', value: 1, remove: false }],
      },
    ],
  });
  // Connections with the same client id share its rate; each is muted once throttled.
  const c = await WireClient.open(broker.port);
  const other = await WireClient.open(broker.port);
  const third = await WireClient.open(broker.port);
  try {
    const first = await createTopic(c, 7, 'mutations-1', 6);
    assert.equal(first.errorCode, 0, 'within the rate before this request');
    assert.ok(first.throttleTimeMs > 0, 'but now over it: throttled');
    const second = await createTopic(other, 7, 'mutations-2', 1);
    assert.equal(second.errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED);
    assert.ok(second.throttleTimeMs > 0);
    const old = await createTopic(third, 5, 'mutations-3', 1);
    assert.equal(old.errorCode, 0, 'v5 cannot carry the error: accepted and throttled');
    assert.ok(old.throttleTimeMs > 0);
    const topics = await admin.listTopics();
    assert.ok(topics.includes('mutations-1') && topics.includes('mutations-3'));
    assert.ok(!topics.includes('mutations-2'));
  } finally {
    c.close();
    other.close();
    third.close();
  }
});

it('closes new connections from an address past its connection_creation_rate', async () => {
  await admin.alterClientQuotas({
    entries: [
      {
        entities: [{ entityType: 'ip', entityName: '127.0.0.1' }],
        ops: [{ key: 'connection_creation_rate', value: 1, remove: false }],
      },
    ],
  });
  const clients = await Promise.all(Array.from({ length: 6 }, () => WireClient.open(broker.port)));
  try {
    const closed = await Promise.all(clients.map((c) => c.waitClosed(500)));
    assert.ok(closed.filter((x) => x).length >= 3, `some connections refused: ${closed}`);
    assert.equal(closed[0], false, 'the first connection is kept');
  } finally {
    for (const c of clients) c.close();
    await admin.alterClientQuotas({
      entries: [
        {
          entities: [{ entityType: 'ip', entityName: '127.0.0.1' }],
          ops: [{ key: 'connection_creation_rate', remove: true }],
        },
      ],
    });
  }
});
