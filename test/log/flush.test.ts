import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { PartitionLog } from '../../src/log/partition-log.ts';
import { batch, tempDir } from './helpers.ts';

const tmp = tempDir();
after(tmp.cleanup);
let n = 0;
const freshDir = (): string => `${tmp.dir}/f-${n++}`;

describe('flush policies', () => {
  it("'always' group-commits: concurrent appends share fsyncs", async () => {
    const log = PartitionLog.open(freshDir(), { config: { flushPolicy: 'always' } });
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      const { lastOffset } = log.append(batch({ records: 2 }));
      waits.push(log.whenDurable(lastOffset));
    }
    let resolved = false;
    const all = Promise.all(waits).then(() => {
      resolved = true;
    });
    assert.equal(resolved, false, 'durability must wait for an fsync');
    await all;
    assert.ok(log.fsyncCount >= 1 && log.fsyncCount <= 3, `fsyncs: ${log.fsyncCount}`);
    await log.close();
  });

  it("'always' with producers that each wait before the next append", async () => {
    const log = PartitionLog.open(freshDir(), { config: { flushPolicy: 'always' } });
    const producer = async (): Promise<void> => {
      for (let i = 0; i < 25; i++) {
        const { lastOffset } = log.append(batch());
        await log.whenDurable(lastOffset);
      }
    };
    await Promise.all(Array.from({ length: 8 }, producer));
    assert.equal(log.logEndOffset, 200);
    assert.ok(log.fsyncCount < 200, `fsyncs: ${log.fsyncCount} for 200 appends`);
    await log.close();
  });

  it("'always' covers the rolled segment too", async () => {
    const log = PartitionLog.open(freshDir(), { config: { flushPolicy: 'always', segmentBytes: 1000 } });
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 30; i++)
      waits.push(log.whenDurable(log.append(batch({ valueSize: 100 })).lastOffset));
    await Promise.all(waits);
    assert.ok(log.segments.length > 2);
    await log.close();
  });

  it("'interval' syncs in the background", async () => {
    const log = PartitionLog.open(freshDir(), { config: { flushPolicy: 'interval', flushMs: 10 } });
    const { lastOffset } = log.append(batch());
    assert.equal(log.fsyncCount, 0);
    await log.whenDurable(lastOffset);
    assert.ok(log.fsyncCount >= 1);
    await log.close();
  });

  it("'never' leaves it to the OS until flush or close", async () => {
    const log = PartitionLog.open(freshDir(), { config: { flushPolicy: 'never' } });
    const { lastOffset } = log.append(batch());
    await log.whenDurable(lastOffset);
    assert.equal(log.fsyncCount, 0);
    await log.flush();
    assert.ok(log.fsyncCount >= 1);
    await log.close();
  });

  it('fails waits for offsets that get truncated, and waits after close', async () => {
    const log = PartitionLog.open(freshDir(), { config: { flushPolicy: 'interval', flushMs: 60_000 } });
    log.append(batch({ records: 2 }));
    const { lastOffset } = log.append(batch({ records: 2 }));
    const wait = log.whenDurable(lastOffset);
    log.truncateTo(2);
    await assert.rejects(wait, /truncated/);
    await log.close();
    await assert.rejects(log.whenDurable(10), /closed/);
  });
});
