/**
 * `samsa demo archive-replay` end to end: a few seconds of a simulated day, then from the outside:
 * the Parquet archive holds every order under yesterday's hours, the replayed topic holds the same
 * orders as the original, and the fixed report on the replay adds up while the buggy one did not.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { describeFiles } from '../../src/connectors/archive/reader.ts';
import { startBroker } from '../../src/testing/index.ts';
import { readTopic, runDemo, summaryNumber } from './helpers.ts';

let tmp: string;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'samsa-demo-replay-'));
});

after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

test('a day archived to Parquet, replayed into a new topic and reprocessed with the fix', async () => {
  const dir = join(tmp, 'demo');
  const out = await runDemo('archive-replay', ['--duration', '3', '--data-dir', dir]);
  const orders = summaryNumber(out, 'orders (yesterday, simulated)');
  const expected = summaryNumber(out, 'revenue expected cents');
  assert.ok(orders > 100, out);

  const files = await describeFiles(join(dir, 'archive'), 'orders');
  assert.equal(
    files.reduce((n, f) => n + f.count, 0),
    orders,
  );
  const yesterday = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);
  const day = `year=${yesterday.getUTCFullYear()}/month=${String(yesterday.getUTCMonth() + 1).padStart(2, '0')}/day=${String(yesterday.getUTCDate()).padStart(2, '0')}/hour=00`;
  assert.ok(
    files.some((f) => f.path.includes(day)),
    `no file under ${day}: ${files.map((f) => f.path).join('\n')}`,
  );

  const broker = await startBroker({ dataDir: join(dir, 'samsa') });
  try {
    const original = await readTopic(broker.bootstrap, 'orders');
    const replayed = await readTopic(broker.bootstrap, 'orders-replayed');
    assert.equal(replayed.length, orders);
    assert.deepEqual(replayed.map((r) => r.value).sort(), original.map((r) => r.value).sort());
    const latest = async (topic: string): Promise<number> => {
      const perHour = new Map<string, number>();
      for (const r of await readTopic(broker.bootstrap, topic)) perHour.set(r.key, Number(r.value));
      return [...perHour.values()].reduce((a, b) => a + b, 0);
    };
    assert.equal(await latest('revenue-v2'), expected);
    assert.notEqual(await latest('revenue-v1'), expected, 'the buggy report was off');
  } finally {
    await broker.stop();
  }
});
