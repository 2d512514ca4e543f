import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { PartitionLog } from '../../src/log/partition-log.ts';
import { batch, batchesIn, tempDir } from './helpers.ts';

const tmp = tempDir();
after(tmp.cleanup);
let n = 0;
const freshDir = (): string => `${tmp.dir}/d-${n++}`;
const CONFIG = { segmentBytes: 1000, indexIntervalBytes: 100 };

function fill(dir: string, batches: number): PartitionLog {
  const log = PartitionLog.open(dir, { config: CONFIG });
  for (let i = 0; i < batches; i++) log.append(batch({ records: 2, valueSize: 50 }));
  return log;
}

describe('truncateTo', () => {
  it('cuts at batch boundaries across segments and keeps appending from there', async () => {
    const dir = freshDir();
    const log = fill(dir, 50);
    const segmentsBefore = log.segments.length;
    assert.equal(log.truncateTo(61), 60, 'the batch holding 61 goes entirely');
    assert.equal(log.logEndOffset, 60);
    assert.ok(log.segments.length < segmentsBefore);
    assert.deepEqual(log.read(60, 1000), { records: null, highWatermark: 60, logStartOffset: 0 });
    assert.equal(log.append(batch({ records: 2 })).baseOffset, 60);
    await log.close();
    const again = PartitionLog.open(dir, { config: CONFIG });
    assert.equal(again.logEndOffset, 62);
    assert.deepEqual(
      batchesIn((again.read(60, 1 << 20) as { records: Buffer }).records).map((b) => [
        b.baseOffset,
        b.lastOffset,
      ]),
      [[60, 61]],
    );
    await again.close();
  });

  it('to the log start empties the log', async () => {
    const log = fill(freshDir(), 10);
    assert.equal(log.truncateTo(0), 0);
    assert.equal(log.segments.length, 1);
    assert.equal(log.append(batch()).baseOffset, 0);
    await log.close();
  });

  it('beyond the end is a no-op', async () => {
    const log = fill(freshDir(), 3);
    assert.equal(log.truncateTo(100), 6);
    await log.close();
  });
});

describe('deleteRecordsBefore', () => {
  it('advances and persists the log start offset, removing whole segments below it', async () => {
    const dir = freshDir();
    const log = fill(dir, 50);
    const files = (): number => fs.readdirSync(dir).filter((f) => f.endsWith('.log')).length;
    const before = files();
    assert.deepEqual(log.deleteRecordsBefore(41), { logStartOffset: 41 });
    assert.ok(files() < before);
    assert.ok(log.segments[0]!.baseOffset <= 41);
    assert.deepEqual(log.read(40, 100), {
      error: 'OFFSET_OUT_OF_RANGE',
      highWatermark: 100,
      logStartOffset: 41,
    });
    const r = log.read(41, 1 << 20);
    assert.ok(!('error' in r));
    assert.equal(batchesIn(r.records)[0]!.baseOffset, 40, 'the batch holding 41 is returned whole');
    assert.deepEqual(log.deleteRecordsBefore(10), { logStartOffset: 41 }, 'never moves backwards');
    assert.equal('error' in log.deleteRecordsBefore(101), true);
    await log.close();
    const again = PartitionLog.open(dir, { config: CONFIG });
    assert.equal(again.logStartOffset, 41);
    assert.equal(again.logEndOffset, 100);
    await again.close();
  });

  it('up to the end leaves an empty log that continues at the same offset', async () => {
    const dir = freshDir();
    const log = fill(dir, 10);
    log.deleteRecordsBefore(20);
    assert.equal(log.logStartOffset, 20);
    assert.equal(log.segments.length, 1);
    assert.equal(log.segments[0]!.size, 0);
    await log.close();
    const again = PartitionLog.open(dir, { config: CONFIG });
    assert.equal(again.logStartOffset, 20);
    assert.equal(again.append(batch()).baseOffset, 20);
    await again.close();
  });
});

describe('delete', () => {
  it('removes the partition directory', async () => {
    const dir = freshDir();
    const log = fill(dir, 5);
    log.delete();
    assert.equal(fs.existsSync(dir), false);
  });
});
