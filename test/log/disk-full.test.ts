/**
 * A full disk, for real: each test mounts a 1 MiB tmpfs (the tests run as root, as in CI), fills it
 * with a ballast file until the kernel answers ENOSPC, and appends into a partition log there. An
 * append either completes or leaves no trace (same file length, same log end offset, same producer
 * state), no offset is handed out twice, writes resume once the ballast is removed, and a second
 * log opened on the same files without closing the first (a kill -9) finds every acknowledged batch
 * at the offset it was acknowledged with. Closing on a full disk rejects and keeps the data.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PartitionLog } from '../../src/log/partition-log.ts';
import { buildRecordBatch, decodeRecordBatch } from '../../src/protocol/records/batch.ts';
import { iterateBatches } from '../../src/protocol/records/split.ts';

const PAGE = 4096;
let mountPoint = '';
let n = 0;
/** Logs left open on purpose (a kill -9 closes nothing); closed before the unmount. */
const opened: PartitionLog[] = [];

function open(dir: string, config = {}): PartitionLog {
  const log = PartitionLog.open(dir, { config });
  opened.push(log);
  return log;
}

before(() => {
  mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-enospc-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]);
});
after(async () => {
  await Promise.allSettled(opened.map((log) => log.close()));
  execFileSync('umount', ['-l', mountPoint]);
  fs.rmSync(mountPoint, { recursive: true, force: true });
});

/** A fresh directory on the tmpfs, with everything earlier removed so the disk starts empty. */
function freshDir(): string {
  for (const e of fs.readdirSync(mountPoint)) fs.rmSync(path.join(mountPoint, e), { recursive: true });
  return path.join(mountPoint, `log-${n++}`);
}

const BALLAST = (): string => path.join(mountPoint, 'ballast');

/** Fills the disk: page-sized writes until ENOSPC, then single bytes until ENOSPC. */
function fillDisk(): void {
  const fd = fs.openSync(BALLAST(), 'a');
  try {
    for (const size of [PAGE, 1]) {
      const chunk = Buffer.alloc(size, 7);
      for (;;) {
        try {
          fs.writeSync(fd, chunk);
        } catch (err) {
          assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
          break;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

function freeDisk(): void {
  fs.rmSync(BALLAST(), { force: true });
}

/** One batch whose single record's value names it (`id`), padded to `valueSize` bytes. */
function batchFor(id: string, valueSize: number, producer?: { id: number; seq: number }): Buffer {
  const value = Buffer.alloc(valueSize, 0x2e);
  value.write(id);
  return buildRecordBatch({
    records: [{ key: null, value, timestamp: 1_700_000_000_000 }],
    ...(producer ? { producerId: producer.id, producerEpoch: 0, baseSequence: producer.seq } : {}),
  });
}

/** offset → record id, reading the whole log from the start. */
function readAll(log: PartitionLog): Map<number, string> {
  const out = new Map<number, string>();
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const res = log.read(offset, 1 << 20, { minOneBatch: true });
    assert.ok(!('error' in res) && res.records !== null, `read at ${offset}`);
    for (const span of iterateBatches(res.records!)) {
      const { header, records } = decodeRecordBatch(res.records!, span.offset);
      for (const r of records) {
        const o = header.baseOffset + r.offsetDelta;
        assert.equal(out.has(o), false, `offset ${o} seen twice`);
        out.set(o, r.value!.toString().replace(/\.+$/, ''));
      }
      offset = header.baseOffset + header.lastOffsetDelta + 1;
    }
  }
  return out;
}

function assertAcknowledgedSurvive(dir: string, acked: Map<number, string>, config = {}): void {
  // Opened beside the first log, which is never closed: what a restart after kill -9 finds.
  const reopened = open(dir, config);
  const stored = readAll(reopened);
  assert.equal(stored.size, reopened.logEndOffset - reopened.logStartOffset, 'offsets are contiguous');
  for (const [offset, id] of acked) assert.equal(stored.get(offset), id, `acknowledged offset ${offset}`);
}

describe('a full disk', () => {
  it('an index write failing after the log write neither fails the append nor reuses its offset', () => {
    const dir = freshDir();
    // An index entry per batch, so the 512 pending entries that trigger an index write come quickly.
    const config = { indexIntervalBytes: 1 };
    const log = open(dir, config);
    // Pick a record size for which the batch that makes the index write due still fits in the log
    // file's last, already allocated page: its bytes land although the disk is full.
    let valueSize = 20;
    const lengthOf = (size: number): number => batchFor('x', size).length;
    const fits = (len: number): boolean => (len * 512) % PAGE > 0 && (len * 512) % PAGE <= PAGE - len;
    while (!fits(lengthOf(valueSize))) valueSize++;
    const acked = new Map<number, string>();
    for (let i = 0; log.activeSegment.offsetIndex.pendingEntries < 511; i++) {
      acked.set(log.append(batchFor(`a${i}`, valueSize)).baseOffset, `a${i}`);
    }
    fillDisk();
    const due = log.append(batchFor('due', valueSize));
    acked.set(due.baseOffset, 'due');
    for (const name of fs.readdirSync(dir).filter((f) => /index$/.test(f))) {
      assert.ok(
        fs.statSync(path.join(dir, name)).size > 0,
        `no empty ${name} left by the failed index write`,
      );
    }
    // Later appends either fit the remaining slack or fail without a trace; none reuses an offset.
    for (let i = 0; i < 40; i++) {
      const before = log.logEndOffset;
      try {
        acked.set(log.append(batchFor(`full${i}`, valueSize)).baseOffset, `full${i}`);
      } catch (err) {
        assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
        assert.equal(log.logEndOffset, before);
        assert.equal(fs.statSync(log.activeSegment.logPath).size, log.activeSegment.size);
      }
    }
    freeDisk();
    for (let i = 0; i < 600; i++) acked.set(log.append(batchFor(`b${i}`, valueSize)).baseOffset, `b${i}`);
    assert.equal(new Set(acked.keys()).size, acked.size);
    assert.deepEqual(readAll(log), acked);
    assertAcknowledgedSurvive(dir, acked, config);
  });

  it('a failed append leaves no trace, and the same batch goes in once space returns', () => {
    const dir = freshDir();
    const log = open(dir);
    const producer = { id: 42, seq: 0 };
    const acked = new Map<number, string>();
    for (let i = 0; i < 50; i++) {
      acked.set(log.append(batchFor(`p${i}`, 200, producer)).baseOffset, `p${i}`);
      producer.seq++;
    }
    fillDisk();
    const end = log.logEndOffset;
    const fileSize = fs.statSync(log.activeSegment.logPath).size;
    let failures = 0;
    // Batches larger than any slack left in the last page: every one of them must fail cleanly.
    for (let i = 0; i < 5; i++) {
      const retry = batchFor('retried', 3 * PAGE, producer);
      assert.equal(log.checkProducers(retry).kind, 'ok', 'the producer state did not move');
      assert.throws(() => log.append(retry), { code: 'ENOSPC' });
      failures++;
      assert.equal(log.logEndOffset, end);
      assert.equal(fs.statSync(log.activeSegment.logPath).size, fileSize);
    }
    assert.equal(failures, 5);
    freeDisk();
    const retried = log.append(batchFor('retried', 3 * PAGE, producer));
    assert.equal(retried.baseOffset, end, 'the offset no failed append used');
    acked.set(retried.baseOffset, 'retried');
    producer.seq++;
    acked.set(log.append(batchFor('after', 200, producer)).baseOffset, 'after');
    assertAcknowledgedSurvive(dir, acked);
  });

  it('segments roll on a full disk without leaving empty or partial indexes behind', () => {
    const dir = freshDir();
    const config = { segmentBytes: 16 * 1024, indexIntervalBytes: 512 };
    const log = open(dir, config);
    const acked = new Map<number, string>();
    for (let i = 0; i < 120; i++) acked.set(log.append(batchFor(`r${i}`, 900)).baseOffset, `r${i}`);
    fillDisk();
    let refused = 0;
    for (let i = 0; i < 60; i++) {
      try {
        acked.set(log.append(batchFor(`f${i}`, 900)).baseOffset, `f${i}`);
      } catch {
        refused++;
      }
    }
    assert.ok(refused > 0, 'the disk was full');
    freeDisk();
    for (let i = 0; i < 60; i++) acked.set(log.append(batchFor(`s${i}`, 900)).baseOffset, `s${i}`);
    const segments = log.segments.slice(0, -1);
    assert.ok(segments.length >= 5);
    for (const seg of segments) {
      // A sealed segment's index files are complete (rewritten whole) or absent (rebuilt on start).
      for (const file of [seg.indexPath, seg.timeIndexPath]) {
        if (fs.existsSync(file) && seg.size > 0 && file === seg.timeIndexPath)
          assert.ok(fs.statSync(file).size > 0, `${file} is not empty`);
      }
    }
    assertAcknowledgedSurvive(dir, acked, config);
  });

  it('closing on a full disk rejects, naming what failed, and loses nothing', async () => {
    const dir = freshDir();
    const config = { segmentBytes: 64 * 1024, indexIntervalBytes: 256 };
    const log = open(dir, config);
    const acked = new Map<number, string>();
    for (let i = 0; i < 200; i++) acked.set(log.append(batchFor(`c${i}`, 700)).baseOffset, `c${i}`);
    fillDisk();
    await assert.rejects(log.close(), /did not close cleanly: .*ENOSPC/);
    for (const name of fs.readdirSync(dir)) {
      assert.ok(!name.endsWith('.tmp'), `no temporary file left: ${name}`);
      if (name.endsWith('.timeindex')) assert.ok(fs.statSync(path.join(dir, name)).size > 0, name);
    }
    freeDisk();
    assertAcknowledgedSurvive(dir, acked, config);
  });
});
