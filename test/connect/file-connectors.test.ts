/**
 * Kafka's FileStreamSource and FileStreamSink connectors end to end through a topic: lines
 * appended to a file arrive, in order, in another file.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createAdmin } from '../../src/client/clients.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { allRunning, startConnect, type TestConnect } from '../helpers/connect.ts';

let broker: TestBroker;
let connect: TestConnect;
const dir = mkdtempSync(join(tmpdir(), 'samsa-connect-'));

before(async () => {
  broker = await startBroker();
  connect = await startConnect({ bootstrap: broker.bootstrap });
});

after(async () => {
  await connect?.stop();
  await broker?.stop();
});

test('file source to file sink through a topic', async () => {
  const input = join(dir, 'in.txt');
  const output = join(dir, 'out.txt');
  writeFileSync(input, 'one\ntwo\n');
  const src = await connect.call('POST', '/connectors', {
    name: 'src',
    config: { 'connector.class': 'FileStreamSource', file: input, topic: 'lines' },
  });
  assert.equal(src.status, 201, JSON.stringify(src.body));
  const sink = await connect.call('POST', '/connectors', {
    name: 'sink',
    config: {
      'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector',
      file: output,
      topics: 'lines',
    },
  });
  assert.equal(sink.status, 201, JSON.stringify(sink.body));
  await connect.waitForStatus('src', allRunning());
  await connect.waitForStatus('sink', allRunning());
  appendFileSync(input, 'three\n');
  const deadline = Date.now() + 20_000;
  let text = '';
  while (Date.now() < deadline) {
    try {
      text = readFileSync(output, 'utf8');
    } catch {}
    if (text.split('\n').length >= 4) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(text, 'one\ntwo\nthree\n');
});

test('a source creates its missing topic with topic.creation.default.partitions and the group’s topic configs (KIP-158)', async () => {
  const input = join(dir, 'created.txt');
  writeFileSync(input, 'a\n');
  const created = await connect.call('POST', '/connectors', {
    name: 'creating-src',
    config: {
      'connector.class': 'FileStreamSource',
      file: input,
      topic: 'created-by-source',
      'topic.creation.default.partitions': '3',
      'topic.creation.default.replication.factor': '1',
      'topic.creation.default.cleanup.policy': 'compact',
      'topic.creation.default.message.timestamp.type': 'LogAppendTime',
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await connect.waitForStatus('creating-src', allRunning());
  const admin = createAdmin({ bootstrapBrokers: [broker.bootstrap] }, { clientId: 'topic-creation-test' });
  try {
    let partitions = 0;
    const deadline = Date.now() + 20_000;
    while (partitions === 0 && Date.now() < deadline) {
      const md = await admin.metadata({ topics: ['created-by-source'] }).catch(() => null);
      partitions = md?.topics.get('created-by-source')?.partitionsCount ?? 0;
      if (partitions === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(partitions, 3);
    const [described] = await admin.describeConfigs({
      resources: [
        {
          resourceType: 2,
          resourceName: 'created-by-source',
          configurationKeys: ['cleanup.policy', 'message.timestamp.type', 'partitions'],
        },
      ],
    });
    const values = Object.fromEntries((described?.configs ?? []).map((c) => [c.name, c.value]));
    assert.deepEqual(values, { 'cleanup.policy': 'compact', 'message.timestamp.type': 'LogAppendTime' });
  } finally {
    await admin.close();
    await connect.call('DELETE', '/connectors/creating-src');
  }
});
