/**
 * Kafka's FileStreamSource and FileStreamSink connectors end to end through a topic: lines
 * appended to a file arrive, in order, in another file.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
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
