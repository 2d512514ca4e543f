/**
 * Standalone mode: connectors given at start, source offsets kept in the local file
 * (`offset.storage.file.filename`), written on flush and on stop; a restarted worker resumes after
 * the last line it stored, so no line is sent twice or lost.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { allRunning, startConnect, topicValues } from '../helpers/connect.ts';

let broker: TestBroker;
const dir = mkdtempSync(join(tmpdir(), 'samsa-connect-standalone-'));

before(async () => {
  broker = await startBroker();
});

after(async () => {
  await broker?.stop();
});

async function waitForValues(topic: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  let values: string[] = [];
  while (Date.now() < deadline) {
    values = await topicValues(broker.bootstrap, topic);
    if (values.length >= count) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return values;
}

test('standalone keeps source offsets in a file and resumes from it', async () => {
  const input = join(dir, 'in.txt');
  const offsetFile = join(dir, 'connect.offsets');
  writeFileSync(input, 'one\ntwo\n');
  const connector = {
    name: 'solo',
    'connector.class': 'FileStreamSource',
    file: input,
    topic: 'solo-lines',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
  };
  const first = await startConnect({
    bootstrap: broker.bootstrap,
    standalone: { offsetFile, connectors: [connector] },
  });
  await first.waitForStatus('solo', allRunning());
  assert.deepEqual(await waitForValues('solo-lines', 2), ['one', 'two']);
  await first.stop();
  assert.deepEqual(JSON.parse(readFileSync(offsetFile, 'utf8')), {
    version: 1,
    offsets: [['solo', { filename: input }, { position: 8 }]],
  });

  appendFileSync(input, 'three\n');
  const second = await startConnect({
    bootstrap: broker.bootstrap,
    standalone: { offsetFile, connectors: [connector] },
  });
  try {
    await second.waitForStatus('solo', allRunning());
    assert.deepEqual(await waitForValues('solo-lines', 3), ['one', 'two', 'three']);
    // A connector created over REST in standalone mode works too (kept in memory only).
    const r = await second.call('POST', '/connectors', {
      name: 'rest-made',
      config: { ...connector, name: 'rest-made', topic: 'solo-2' },
    });
    assert.equal(r.status, 201);
    await second.waitForStatus('rest-made', allRunning());
  } finally {
    await second.stop();
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(
    await topicValues(broker.bootstrap, 'solo-lines'),
    ['one', 'two', 'three'],
    'no line sent twice',
  );
});
