/**
 * Compaction end to end (issue 4, done-when #2 and #5), with real clients: kcat produces 50,000
 * updates over 500 keys and then tombstones for 100 of them to a compacted topic created by
 * confluent-kafka's AdminClient; the background cleaner shrinks it to one record per live key and
 * a consumer from the beginning sees the latest value of every live key and nothing of the deleted
 * ones. Then a `samsa start` process is SIGKILLed while its cleaner is swapping segments, and the
 * restarted broker still serves every live key's latest value.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startBroker } from '../../src/testing/index.ts';
import { run, runPython } from '../helpers/run.ts';

const BIN = path.join(import.meta.dirname, '../../bin/samsa.js');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const COMPACT_CONFIGS: Record<string, string> = {
  'cleanup.policy': 'compact',
  'segment.bytes': '16384',
  'segment.ms': '1000',
  'delete.retention.ms': '500',
  'min.cleanable.dirty.ratio': '0.01',
};

async function createTopic(bootstrap: string, topic: string, configs: Record<string, string>): Promise<void> {
  const res = await runPython(
    `
import sys, json
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': sys.argv[1]})
fs = a.create_topics([NewTopic(sys.argv[2], 1, 1, config=json.loads(sys.argv[3]))])
for f in fs.values(): f.result(15)
print('ok')
`,
    [bootstrap, topic, JSON.stringify(configs)],
  );
  assert.equal(res.stdout.trim(), 'ok', res.stderr);
}

async function kcatProduce(
  bootstrap: string,
  topic: string,
  lines: string[],
  extra: string[] = [],
): Promise<void> {
  const res = await run(
    'kcat',
    [
      '-b',
      bootstrap,
      '-P',
      '-t',
      topic,
      '-p',
      '0',
      '-K',
      ':',
      '-Z',
      '-X',
      'batch.num.messages=1000',
      ...extra,
    ],
    { input: `${lines.join('\n')}\n`, timeoutMs: 60_000 },
  );
  assert.equal(res.code, 0, res.stderr);
}

interface Consumed {
  offset: number;
  key: string;
  value: string | null;
}

async function kcatConsume(bootstrap: string, topic: string): Promise<Consumed[]> {
  const res = await run(
    'kcat',
    ['-b', bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o\t%k\t%S\t%s\n'],
    { timeoutMs: 60_000 },
  );
  assert.equal(res.code, 0, res.stderr);
  return res.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [offset, key, len, value] = l.split('\t');
      return { offset: Number(offset), key: key!, value: len === '-1' ? null : (value ?? '') };
    });
}

function stateOf(records: readonly Consumed[]): Map<string, string> {
  const state = new Map<string, string>();
  for (const r of records) {
    if (r.value === null) state.delete(r.key);
    else state.set(r.key, r.value);
  }
  return state;
}

/** 50,000 updates over 500 keys (value names the round), then tombstones for keys 0..99. */
function workload(
  rounds = 100,
  keys = 500,
): { updates: string[]; tombstones: string[]; expected: Map<string, string> } {
  const updates: string[] = [];
  for (let r = 0; r < rounds; r++) for (let k = 0; k < keys; k++) updates.push(`key-${k}:value-${r}-${k}`);
  const tombstones = Array.from({ length: 100 }, (_, k) => `key-${k}:`);
  const expected = new Map<string, string>();
  for (let k = 100; k < keys; k++) expected.set(`key-${k}`, `value-${rounds - 1}-${k}`);
  return { updates, tombstones, expected };
}

describe('compacted topics end to end', () => {
  it('shrink to the latest record per live key (50,000 updates over 500 keys, 100 tombstones)', async () => {
    const broker = await startBroker({ logCleanerBackoffMs: 100, logRetentionCheckIntervalMs: 100 });
    try {
      const topic = 'compacted';
      await createTopic(broker.bootstrap, topic, COMPACT_CONFIGS);
      const { updates, tombstones, expected } = workload();
      await kcatProduce(broker.bootstrap, topic, updates);
      await kcatProduce(broker.bootstrap, topic, tombstones);
      const log = broker.broker.services.logs.getPartition(topic, 0)!;
      assert.equal(log.logEndOffset, 50_100);
      let records: Consumed[] = [];
      const deadline = Date.now() + 30_000;
      for (;;) {
        records = await kcatConsume(broker.bootstrap, topic);
        const tombstonesLeft = records.filter((r) => r.value === null).length;
        if ((records.length <= 400 && tombstonesLeft === 0) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.ok(records.length <= 1000, `${records.length} readable records`);
      assert.deepEqual(stateOf(records), expected, 'latest value of every live key');
      const deleted = records.filter((r) => Number(r.key.slice(4)) < 100);
      assert.deepEqual(deleted, [], 'nothing of the deleted keys is left');
      for (let i = 1; i < records.length; i++) assert.ok(records[i]!.offset > records[i - 1]!.offset);
      assert.equal(records.at(-1)!.offset < 50_100, true);
      const bytes = log.segments.reduce((s, seg) => s + seg.size, 0);
      console.log(
        `# compacted 50,100 records to ${records.length} (${bytes} bytes on disk in ${log.segments.length} segments)`,
      );
    } finally {
      await broker.stop();
    }
  });

  it('loses no live key when the broker is killed during compaction', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-compact-kill-'));
    dirs.push(dataDir);
    const topic = 'kill-compact';
    const { updates, tombstones, expected } = workload(60);
    let kills = 0;
    let child = await startProcess(dataDir);
    await createTopic(`127.0.0.1:${child.port}`, topic, {
      ...COMPACT_CONFIGS,
      'delete.retention.ms': '60000',
    });
    await kcatProduce(`127.0.0.1:${child.port}`, topic, updates, ['-z', 'lz4']);
    await kcatProduce(`127.0.0.1:${child.port}`, topic, tombstones);
    const partDir = path.join(dataDir, `${topic}-0`);
    // Kill as soon as the cleaner has output on disk (or a swap manifest), a few times over.
    for (let round = 0; round < 3; round++) {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const names = fs.existsSync(partDir) ? fs.readdirSync(partDir) : [];
        if (names.some((f) => f.endsWith('.cleaned') || f.endsWith('.swap'))) break;
        await new Promise((r) => setTimeout(r, 1));
      }
      child.process.kill('SIGKILL');
      await new Promise((r) => child.process.once('exit', r));
      kills++;
      child = await startProcess(dataDir);
      // More updates after each restart (keys 0..99 come back to life), so there is more to clean.
      const again = updates.slice(0, 2000).map((l) => l.replace('value-', `again${round}-`));
      await kcatProduce(`127.0.0.1:${child.port}`, topic, again);
      for (const line of again) {
        const [key, value] = line.split(':') as [string, string];
        expected.set(key, value);
      }
    }
    child.process.kill('SIGKILL');
    await new Promise((r) => child.process.once('exit', r));
    const broker = await startBroker({ dataDir, logCleanerBackoffMs: 100, logRetentionCheckIntervalMs: 100 });
    try {
      const records = await kcatConsume(broker.bootstrap, topic);
      assert.deepEqual(stateOf(records), expected, `live keys after ${kills} kills during compaction`);
    } finally {
      await broker.stop();
    }
  });
});

interface Running {
  process: ChildProcess;
  port: number;
}

function startProcess(dataDir: string): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'start',
        '--no-connect',
        '--no-console',
        '--no-registry',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--log-level',
        'warn',
        '--log-cleaner-backoff-ms',
        '20',
        '--log-retention-check-interval-ms',
        '50',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stderr!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) resolve({ process: child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`broker exited early (${code}): ${out}`)));
  });
}
