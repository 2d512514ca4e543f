/**
 * Idempotent and transactional producers with real clients (librdkafka via python3-confluent-kafka,
 * KafkaJS) against an in-process broker: dedupe under dropped connections, read_committed vs
 * read_uncommitted, zombie fencing, and the broker aborting a timed-out transaction.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { PYTHON, run, runPython } from '../helpers/run.ts';

const script = (name: string) => readFileSync(join(import.meta.dirname, name), 'utf8');

async function consumeAll(
  b: TestBroker,
  topic: string,
  parts: number,
  level: string,
): Promise<Record<string, string[]>> {
  const r = await runPython(script('consume-all.py'), [b.bootstrap, topic, String(parts), level]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, string[]>;
}

/** Runs a Python script, calling `onProgress` for each "delivered N" line it prints. */
function runWithProgress(
  text: string,
  args: string[],
  onProgress: () => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['-c', text, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      const chunk = c.toString();
      stdout += chunk;
      for (const _ of chunk.matchAll(/delivered \d+/g)) onProgress();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('transactions with real clients', () => {
  let b: TestBroker;
  before(async () => {
    b = await startBroker({ numPartitions: 2, transactionAbortTimedOutIntervalMs: 200 });
  });
  after(async () => {
    await b.stop();
  });

  it('an idempotent producer writes 100,000 records exactly once, in order, while connections are cut', async () => {
    const N = 100_000;
    let drops = 0;
    // The broker drops every client socket right after appending a batch — before its response goes
    // out — every 20,000 delivered records and every 150th append: the producer must retry batches
    // that are already in the log, which only sequence dedupe turns into exactly-once.
    await b.broker.services.topics.create('idem', 2, {});
    let appends = 0;
    let armed = false;
    const unsubscribe = [0, 1].map((p) =>
      b.broker.services.topics.partition('idem', p)!.onAppend(() => {
        appends++;
        if ((armed || appends % 150 === 0) && drops < 12) {
          armed = false;
          b.broker.dropConnections();
          drops++;
        }
      }),
    );
    const r = await runWithProgress(
      script('idempotent-producer.py'),
      [b.bootstrap, 'idem', String(N)],
      () => {
        armed = true;
      },
    );
    for (const u of unsubscribe) u();
    assert.equal(r.code, 0, r.stderr);
    r.stdout = r.stdout.slice(r.stdout.lastIndexOf('{'));
    const res = JSON.parse(r.stdout) as { left: number; errorCount: number };
    assert.equal(res.left, 0);
    assert.equal(res.errorCount, 0);
    assert.ok(drops >= 3, `connections were cut ${drops} times`);
    const seen = await consumeAll(b, 'idem', 2, 'read_uncommitted');
    let total = 0;
    for (const p of ['0', '1']) {
      const values = seen[p]!;
      total += values.length;
      // Exactly the sequence p:0, p:1, ... — no duplicate, no gap, no reordering.
      for (const [i, v] of values.entries()) assert.equal(v, `${p}:${i}`);
    }
    assert.equal(total, N);
  });

  it('python transactional producer: read_committed sees only committed records, read_uncommitted all', async () => {
    const r = await runPython(script('python-txn.py'), [b.bootstrap, 'pytxn']);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { committed: string[]; uncommitted: string[] };
    assert.equal(res.committed.length, 200);
    assert.ok(res.committed.every((v) => v.startsWith('c1-') || v.startsWith('c2-')));
    assert.equal(res.uncommitted.length, 300);
    assert.equal(res.uncommitted.filter((v) => v.startsWith('a1-')).length, 100);
  });

  it('KafkaJS transactional producer: commit, abort, commit', async () => {
    const r = await run(process.execPath, [
      join(import.meta.dirname, 'kafkajs-txn.mjs'),
      b.bootstrap,
      'kjstxn',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const committed = Object.values(await consumeAll(b, 'kjstxn', 2, 'read_committed')).flat();
    const all = Object.values(await consumeAll(b, 'kjstxn', 2, 'read_uncommitted')).flat();
    assert.equal(committed.length, 100);
    assert.ok(committed.every((v) => !v.startsWith('a1-')));
    assert.equal(all.length, 150);
  });

  it('a second producer with the same transactional.id fences the first; zombie writes stay invisible', async () => {
    const r = await runPython(script('fencing.py'), [b.bootstrap, 'fence']);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { zombieError: string | null };
    assert.ok(res.zombieError !== null, 'the zombie could not commit');
    const committed = (await consumeAll(b, 'fence', 2, 'read_committed'))['0']!;
    assert.deepEqual(
      committed,
      Array.from({ length: 10 }, (_, i) => `fresh-${i}`),
    );
  });

  it('an open transaction past its timeout is aborted by the broker and stops holding back the LSO', async () => {
    const r = await runPython(script('timeout.py'), [b.bootstrap, 'tmo']);
    assert.equal(r.code, 0, r.stderr);
    const log = b.broker.services.topics.partition('tmo', 0)!;
    assert.ok(log.lastStableOffset < log.logEndOffset, 'the open transaction holds back the LSO');
    const deadline = Date.now() + 10_000;
    while (log.lastStableOffset < log.logEndOffset && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(log.lastStableOffset, log.logEndOffset);
    assert.equal(b.broker.services.transactions.get('timeout-tmo')?.state, 'CompleteAbort');
    assert.deepEqual((await consumeAll(b, 'tmo', 1, 'read_committed'))['0'], []);
    assert.equal((await consumeAll(b, 'tmo', 1, 'read_uncommitted'))['0']!.length, 20);
  });
});
