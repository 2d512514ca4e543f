/**
 * Broker-side schema validation with real producers: a topic with
 * confluent.value.schema.validation=true (or .key.) accepts records whose value (key) carries a
 * schema id registered under the topic's subject and refuses the batch otherwise with
 * INVALID_RECORD and a message saying which record and why; tombstones pass; a broker without a
 * registry refuses validated topics outright. The registry is wired to the broker as `samsa start`
 * does (its in-memory schema ids); `samsa start` itself is covered in test/cli/start-registry.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { createProducer } from '../../src/client/clients.ts';
import { serializer } from '../../src/registry/index.ts';
import { schemaIdValidator } from '../../src/registry/schema-id-validator.ts';
import { startBroker } from '../../src/testing/index.ts';
import { type Stack, startStack } from './helpers.ts';

let stack: Stack;
let kafka: Kafka;

before(async () => {
  stack = await startStack();
  stack.broker.broker.services.schemaIds = schemaIdValidator(stack.registry.store.state);
  kafka = new Kafka({
    brokers: [stack.broker.bootstrap],
    clientId: 'validation',
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'checked', configEntries: [{ name: 'confluent.value.schema.validation', value: 'true' }] },
      { topic: 'keys-checked', configEntries: [{ name: 'confluent.key.schema.validation', value: 'true' }] },
      { topic: 'unchecked' },
    ],
  });
  await admin.disconnect();
});
after(() => stack.stop());

const schema = { type: 'record', name: 'Event', fields: [{ name: 'n', type: 'int' }] };

type Message = { key?: Buffer | string | null; value: Buffer | string | null };

/** Produces with KafkaJS (Produce v7): success, or its INVALID_RECORD error. */
async function send(topic: string, messages: Message[]) {
  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  try {
    return await producer.send({ topic, messages, acks: -1 });
  } finally {
    await producer.disconnect();
  }
}

const bytes = (v: Buffer | string | null | undefined) =>
  typeof v === 'string' ? Buffer.from(v) : (v ?? undefined);

/**
 * Produces with @platformatic/kafka (Produce v11, which carries the broker's error message) and
 * returns the INVALID_RECORD message, or null when the batch was accepted.
 */
async function rejection(topic: string, messages: Message[]): Promise<string | null> {
  const producer = createProducer(
    { bootstrapBrokers: [stack.broker.bootstrap] },
    { clientId: 'validation-v11' },
  );
  try {
    await producer.send({
      messages: messages.map((m) => ({ topic, key: bytes(m.key), value: bytes(m.value) })),
    });
    return null;
  } catch (err) {
    const found = (
      err as { findBy?: (k: string, v: unknown) => { serverErrorMessage?: string } | null }
    ).findBy?.('apiId', 'INVALID_RECORD');
    if (!found) throw err;
    return found.serverErrorMessage ?? '';
  } finally {
    await producer.close();
  }
}

describe('confluent.value.schema.validation', () => {
  test('records serialized with a schema registered for the subject are accepted', async () => {
    const serialize = serializer({ registry: stack.url, format: 'avro', schema });
    const values = await Promise.all([1, 2, 3].map((n) => serialize('checked', { n })));
    const [result] = await send(
      'checked',
      values.map((v) => ({ value: v })),
    );
    assert.equal(result!.errorCode, 0);
    await send('checked', [{ value: null }]); // tombstones carry no schema and pass
  });

  test('a record without the wire format fails the whole batch with INVALID_RECORD', async () => {
    const serialize = serializer({ registry: stack.url, format: 'avro', schema });
    const good = await serialize('checked', { n: 4 });
    await assert.rejects(
      send('checked', [{ value: good }, { value: 'plain text' }]),
      (err: Error & { type?: string }) => {
        assert.equal(err.type, 'INVALID_RECORD');
        return true;
      },
    );
    assert.equal(
      await rejection('checked', [{ value: good }, { value: 'plain text' }]),
      "Record 1 of the batch was rejected: its value does not start with a schema id (magic byte 0 and a 4-byte id) for subject 'checked-value'",
    );
  });

  test('an id registered under another subject (or not at all) is refused', async () => {
    const other = await serializer({
      registry: stack.url,
      format: 'avro',
      schema: { ...schema, name: 'Other' },
    })('elsewhere', { n: 1 });
    const id = other!.readInt32BE(1);
    await assert.rejects(
      send('checked', [{ value: other }]),
      (err: Error & { type?: string }) => err.type === 'INVALID_RECORD',
    );
    assert.equal(
      await rejection('checked', [{ value: other }]),
      `Record 0 of the batch was rejected: its value carries schema id ${id}, which is not registered under subject 'checked-value'`,
    );
    const forged = Buffer.from([0, 0, 0, 0x7f, 0xff, 1, 2]);
    assert.match(
      (await rejection('checked', [{ value: forged }]))!,
      /schema id 32767, which is not registered/,
    );
  });

  test('a schema registered moments before producing is accepted (the registry state is current)', async () => {
    const fresh = {
      type: 'record',
      name: 'Event',
      fields: [
        { name: 'n', type: 'int' },
        { name: 'm', type: 'int', default: 0 },
      ],
    };
    const bytes = await serializer({ registry: stack.url, format: 'avro', schema: fresh })('checked', {
      n: 1,
      m: 2,
    });
    const [result] = await send('checked', [{ value: bytes }]);
    assert.equal(result!.errorCode, 0);
  });

  test('key validation checks keys against <topic>-key; other topics are not checked', async () => {
    const keySerializer = serializer({
      registry: stack.url,
      format: 'avro',
      schema: '"string"',
      isKey: true,
    });
    const key = await keySerializer('keys-checked', 'k1');
    await send('keys-checked', [{ key, value: 'any value' }]);
    assert.match(
      (await rejection('keys-checked', [{ key: 'raw key', value: 'v' }]))!,
      /its key does not start with a schema id .* subject 'keys-checked-key'/,
    );
    await send('unchecked', [{ value: 'free text' }]);
  });

  test('turning validation on later applies to the next produce', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: 2,
          name: 'unchecked',
          configEntries: [{ name: 'confluent.value.schema.validation', value: 'true' }],
        },
      ],
    });
    await admin.disconnect();
    assert.match(
      (await rejection('unchecked', [{ value: 'free text' }]))!,
      /does not start with a schema id/,
    );
  });
});

test('without a registry, a validated topic refuses records and says why', async () => {
  const broker = await startBroker();
  const k = new Kafka({
    brokers: [broker.bootstrap],
    clientId: 'no-registry',
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  try {
    const admin = k.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: 't', configEntries: [{ name: 'confluent.value.schema.validation', value: 'true' }] }],
    });
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: 't' }],
    });
    const entry = described.resources[0]!.configEntries.find(
      (e) => e.configName === 'confluent.value.schema.validation',
    );
    assert.equal(entry?.configValue, 'true');
    const invalid = await admin
      .createTopics({
        topics: [
          { topic: 'u', configEntries: [{ name: 'confluent.value.schema.validation', value: 'maybe' }] },
        ],
      })
      .catch((e: Error) => e);
    const problems = (invalid as { errors?: { type?: string; message?: string }[] }).errors ?? [];
    assert.equal(problems[0]?.type, 'INVALID_CONFIG');
    await admin.disconnect();
    const producer = createProducer({ bootstrapBrokers: [broker.bootstrap] }, { clientId: 'no-registry' });
    try {
      await assert.rejects(
        producer.send({ messages: [{ topic: 't', value: Buffer.from([0, 0, 0, 0, 1, 2]) }] }),
        (err) => {
          const found = (
            err as { findBy(k: string, v: unknown): { serverErrorMessage?: string } | null }
          ).findBy('apiId', 'INVALID_RECORD');
          assert.equal(
            found?.serverErrorMessage,
            'Topic t has schema validation enabled but the broker runs without a schema registry',
          );
          return true;
        },
      );
    } finally {
      await producer.close();
    }
  } finally {
    await broker.stop();
  }
});
