import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { PartitionLog } from '../../src/log/partition-log.ts';
import { isBatchCrcValid } from '../../src/protocol/records/batch-header.ts';
import { batch, batchesIn, recordingLogger, tempDir } from './helpers.ts';

const tmp = tempDir();
after(tmp.cleanup);
let n = 0;
const freshDir = (): string => `${tmp.dir}/r-${n++}`;
const CONFIG = { segmentBytes: 8 * 1024, indexIntervalBytes: 256 };

/** A log with `count` batches of 2 records each, left unclosed as after a crash (indexes maybe stale). */
function crashedLog(count: number): { dir: string; sizes: number[] } {
  const dir = freshDir();
  const log = PartitionLog.open(dir, { config: CONFIG });
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    const b = batch({ records: 2, valueSize: 30 + (i % 50) });
    sizes.push(b.length);
    log.append(b);
  }
  return { dir, sizes };
}

function activeLogFile(dir: string): string {
  const logs = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  return path.join(dir, logs.at(-1)!);
}

/** Reads the whole log and checks offsets are gapless from the start and CRCs hold. */
function readAll(log: PartitionLog): number {
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const r = log.read(offset, 1 << 20);
    assert.ok(!('error' in r) && r.records !== null);
    for (const b of batchesIn(r.records)) {
      assert.equal(b.baseOffset, offset);
      offset = b.lastOffset + 1;
    }
    let at = 0;
    while (at < r.records.length) {
      assert.ok(isBatchCrcValid(r.records, at));
      at += 12 + r.records.readInt32BE(at + 8);
    }
  }
  return offset;
}

describe('recovery of the active segment', () => {
  it('a clean reopen truncates nothing', async () => {
    const dir = freshDir();
    const log = PartitionLog.open(dir, { config: CONFIG });
    for (let i = 0; i < 100; i++) log.append(batch({ records: 2 }));
    await log.close();
    const logger = recordingLogger();
    const again = PartitionLog.open(dir, { config: CONFIG, logger });
    assert.equal(again.logEndOffset, 200);
    assert.deepEqual(logger.warnings(), []);
    await again.close();
  });

  it('recovers after a crash with unwritten index entries', async () => {
    const { dir } = crashedLog(150);
    const log = PartitionLog.open(dir, { config: CONFIG });
    assert.equal(log.logEndOffset, 300);
    assert.equal(readAll(log), 300);
    await log.close();
  });

  it('cuts garbage appended after the last batch', async () => {
    const { dir } = crashedLog(150);
    fs.appendFileSync(activeLogFile(dir), Buffer.from('this is not a record batch, just noise at the tail'));
    const logger = recordingLogger();
    const log = PartitionLog.open(dir, { config: CONFIG, logger });
    assert.equal(log.logEndOffset, 300);
    assert.equal(readAll(log), 300);
    assert.deepEqual(logger.warnings(), ['truncating invalid tail of log segment']);
    assert.equal(log.append(batch({ records: 1 })).baseOffset, 300);
    await log.close();
  });

  it('cuts a batch torn in the middle', async () => {
    const { dir, sizes } = crashedLog(150);
    const file = activeLogFile(dir);
    fs.truncateSync(file, fs.statSync(file).size - Math.floor(sizes.at(-1)! / 2));
    const logger = recordingLogger();
    const log = PartitionLog.open(dir, { config: CONFIG, logger });
    assert.equal(log.logEndOffset, 298);
    assert.equal(readAll(log), 298);
    assert.equal(logger.warnings().length, 1);
    await log.close();
  });

  it('cuts a batch whose CRC does not match', async () => {
    const { dir, sizes } = crashedLog(150);
    const file = activeLogFile(dir);
    const bytes = fs.readFileSync(file);
    const lastStart = bytes.length - sizes.at(-1)!;
    bytes[lastStart + 70]! ^= 0xff; // inside the records, covered by the CRC
    fs.writeFileSync(file, bytes);
    const log = PartitionLog.open(dir, { config: CONFIG });
    assert.equal(log.logEndOffset, 298);
    assert.equal(fs.statSync(file).size, lastStart);
    assert.equal(readAll(log), 298);
    await log.close();
  });

  it('cuts from a bad length or magic byte onwards', async () => {
    const { dir, sizes } = crashedLog(150);
    const file = activeLogFile(dir);
    const bytes = fs.readFileSync(file);
    const start = bytes.length - sizes.at(-1)! - sizes.at(-2)! - sizes.at(-3)!;
    bytes[start + 16] = 1; // magic of the third-to-last batch
    fs.writeFileSync(file, bytes);
    const log = PartitionLog.open(dir, { config: CONFIG });
    assert.equal(log.logEndOffset, 294);
    assert.equal(readAll(log), 294);
    await log.close();
  });

  it('rebuilds missing indexes of active and sealed segments', async () => {
    const dir = freshDir();
    const log = PartitionLog.open(dir, { config: CONFIG });
    for (let i = 0; i < 300; i++) log.append(batch({ records: 3, valueSize: 40 }));
    const expected = log.read(450, 1 << 20);
    await log.close();
    for (const f of fs.readdirSync(dir)) if (f.endsWith('index')) fs.rmSync(path.join(dir, f));
    const logger = recordingLogger();
    const again = PartitionLog.open(dir, { config: CONFIG, logger });
    assert.ok(logger.warnings().includes('index files missing; rebuilding'));
    assert.equal(again.logEndOffset, 900);
    assert.deepEqual(again.read(450, 1 << 20), expected);
    for (const seg of again.segments) assert.ok(seg.offsetIndex.entries > 0);
    assert.equal(readAll(again), 900);
    await again.close();
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.log'))) {
      assert.ok(fs.statSync(path.join(dir, f.replace('.log', '.index'))).size > 0);
    }
  });

  it('rebuilds a corrupt index instead of trusting it', async () => {
    const dir = freshDir();
    const log = PartitionLog.open(dir, { config: CONFIG });
    for (let i = 0; i < 300; i++) log.append(batch({ records: 3, valueSize: 40 }));
    await log.close();
    const indexes = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.index'))
      .sort();
    // A sealed segment's index full of garbage, and the active one's pointing mid-batch.
    fs.writeFileSync(path.join(dir, indexes[0]!), Buffer.alloc(64, 0x7f));
    const active = path.join(dir, indexes.at(-1)!);
    const bytes = fs.readFileSync(active);
    if (bytes.length >= 8) {
      bytes.writeInt32BE(bytes.readInt32BE(bytes.length - 4) + 3, bytes.length - 4);
      fs.writeFileSync(active, bytes);
    }
    const logger = recordingLogger();
    const again = PartitionLog.open(dir, { config: CONFIG, logger });
    assert.equal(again.logEndOffset, 900);
    assert.equal(readAll(again), 900);
    assert.ok(logger.warnings().includes('rebuilding segment indexes'));
    await again.close();
  });
});

describe('kill -9 during appends', () => {
  it('keeps every acknowledged batch and reopens cleanly', async () => {
    const dir = freshDir();
    const child = spawn(
      process.execPath,
      [path.join(import.meta.dirname, 'fixtures/append-forever.ts'), dir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let acked = -1;
    let lines = 0;
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        for (const line of chunk.split('\n').filter(Boolean)) {
          acked = Math.max(acked, Number(line));
          if (++lines === 40) child.kill('SIGKILL');
        }
      });
      child.on('exit', () => resolve());
    });
    assert.ok(acked > 0);
    const logger = recordingLogger();
    const log = PartitionLog.open(dir, {
      config: { segmentBytes: 256 * 1024, indexIntervalBytes: 1024 },
      logger,
    });
    assert.ok(log.logEndOffset > acked, `end ${log.logEndOffset} must cover acknowledged ${acked}`);
    assert.equal(readAll(log), log.logEndOffset);
    assert.equal(log.append(batch()).baseOffset, log.logEndOffset - 1);
    await log.close();
  });
});
