/**
 * A damaged or missing topic metadata file (`__meta/topics/<topic>.json` garbage, empty or deleted)
 * never hides data: the broker rebuilds the topic (id, partition count, configs) from the
 * `partition.metadata` files in its partition directories, says so in a warning, and kcat reads
 * every record back. Data directories written before those files existed get them on the next
 * start. Only when nothing can rebuild a damaged file does `samsa start` refuse, naming the file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { samsaInProcess } from '../cli/run-cli.ts';
import { type BrokerProcess, startBrokerProcess, startFailing } from '../helpers/broker-process.ts';
import { run } from '../helpers/run.ts';

const RECORDS = 300;
const dataDir = fs.mkdtempSync(path.join(tmpdir(), 'samsa-meta-'));
const metaFile = path.join(dataDir, '__meta/topics/orders.json');
const partitionFiles = [0, 1, 2].map((p) => path.join(dataDir, `orders-${p}`, 'partition.metadata'));
const produced = Array.from({ length: RECORDS }, (_, i) => `order-${i}`);
let original: unknown;

after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function consumeAll(broker: BrokerProcess): Promise<string[]> {
  const res = await run('kcat', [
    '-b',
    broker.bootstrap,
    '-C',
    '-t',
    'orders',
    '-o',
    'beginning',
    '-e',
    '-q',
  ]);
  assert.equal(res.code, 0, res.stderr);
  return res.stdout.split('\n').filter(Boolean).sort();
}

before(async () => {
  const broker = await startBrokerProcess(dataDir);
  const created = await samsaInProcess([
    'topics:create',
    'orders',
    '--partitions',
    '3',
    '--config',
    'retention.ms=86400000',
    '-b',
    broker.bootstrap,
  ]);
  assert.equal(created.code, 0, created.stderr);
  const res = await run('kcat', ['-b', broker.bootstrap, '-P', '-t', 'orders'], {
    input: `${produced.join('\n')}\n`,
  });
  assert.equal(res.code, 0, res.stderr);
  assert.equal(await broker.stop(), 0);
  original = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
  for (const f of partitionFiles) assert.ok(fs.existsSync(f), `${f} written with the topic`);
});

/** Starts on the damaged directory, checks the warning and every record, and the restored file. */
async function expectRebuilt(reason: RegExp): Promise<void> {
  const broker = await startBrokerProcess(dataDir);
  try {
    assert.deepEqual(await consumeAll(broker), [...produced].sort());
    const warning = broker
      .output()
      .split('\n')
      .find((l) => l.includes('rebuilt topic \\"orders\\"'));
    assert.ok(warning, broker.output());
    const line = JSON.parse(warning) as { level: number; reason: string; partitions: number };
    assert.equal(line.level, 40);
    assert.match(line.reason, reason);
    assert.equal(line.partitions, 3);
  } finally {
    assert.equal(await broker.stop(), 0);
  }
  assert.deepEqual(
    JSON.parse(fs.readFileSync(metaFile, 'utf8')),
    original,
    'id, partitions and configs restored',
  );
  assert.equal(fs.readdirSync(dataDir).filter((n) => n.includes('.stray')).length, 0, 'nothing set aside');
}

describe('damaged topic metadata', () => {
  it('garbage in the file: the topic is rebuilt from its partition directories', async () => {
    fs.writeFileSync(metaFile, '{"name": "orders", "topicId": garbage \u0000\u0001');
    await expectRebuilt(/JSON/);
  });

  it('an empty file: rebuilt', async () => {
    fs.writeFileSync(metaFile, '');
    await expectRebuilt(/JSON/);
  });

  it('a deleted file: rebuilt', async () => {
    fs.rmSync(metaFile);
    await expectRebuilt(/file missing/);
  });

  it('a data directory from before partition.metadata gets the files on start, and can then be rebuilt', async () => {
    for (const f of partitionFiles) fs.rmSync(f);
    const broker = await startBrokerProcess(dataDir);
    assert.equal(await broker.stop(), 0);
    for (const f of partitionFiles) {
      const text = fs.readFileSync(f, 'utf8');
      assert.match(text, /^version: 0\ntopic_id: [A-Za-z0-9_-]{22}\ntopic: orders\npartitions: 3\n/);
      assert.match(text, /configs: \{"retention.ms":"86400000"\}/);
    }
    fs.writeFileSync(metaFile, 'not json');
    await expectRebuilt(/JSON/);
  });

  it('refuses to start, naming the file, only when nothing can rebuild it; the data stays', async () => {
    const good = fs.readFileSync(metaFile);
    for (const f of partitionFiles) fs.rmSync(f);
    fs.writeFileSync(metaFile, '');
    const failed = await startFailing(dataDir);
    assert.equal(failed.code, 1, failed.output);
    assert.ok(failed.output.includes(`topic metadata file ${metaFile} is damaged`), failed.output);
    assert.match(failed.output, /cannot be rebuilt/);
    fs.writeFileSync(metaFile, good);
    const broker = await startBrokerProcess(dataDir);
    try {
      assert.deepEqual(await consumeAll(broker), [...produced].sort());
    } finally {
      assert.equal(await broker.stop(), 0);
    }
  });
});
