/**
 * Retention on a PartitionLog: closed segments past retention.ms (by their largest timestamp) or
 * beyond retention.bytes are deleted from the start, the active segment never; an idle active
 * segment is rolled by segment.ms; the log start offset advances, survives a restart, and reads
 * below it are OFFSET_OUT_OF_RANGE; compact-only topics keep everything; the LogManager's
 * background task applies config changes made at runtime.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, it } from 'node:test';
import type { LogConfig } from '../../src/log/config.ts';
import { LogManager } from '../../src/log/log-manager.ts';
import { PartitionLog } from '../../src/log/partition-log.ts';
import { applyRetention } from '../../src/log/retention.ts';
import { batch, tempDir } from './helpers.ts';

const tmp = tempDir('samsa-retention-');
after(tmp.cleanup);
let n = 0;
const freshDir = (): string => `${tmp.dir}/r-${n++}`;
const T0 = 1_700_000_000_000;

function open(config: Partial<LogConfig>, now: () => number, dir = freshDir()): PartitionLog {
  return PartitionLog.open(dir, { config: { segmentBytes: 1000, ...config }, now });
}

describe('retention', () => {
  it('deletes closed segments past retention.ms by their largest timestamp and moves the log start', async () => {
    let now = T0;
    const log = open({ retentionMs: 10_000 }, () => now);
    for (let i = 0; i < 20; i++) log.append(batch({ records: 2, valueSize: 100, timestamp: T0 + i * 1000 }));
    const segs = log.segments.length;
    assert.ok(segs > 4);
    now = T0 + 5000;
    assert.equal(applyRetention(log, now).deletedSegments, 0, 'nothing old enough yet');
    now = T0 + 25_000; // records with timestamps below T0 + 15000 are past retention
    const res = applyRetention(log, now);
    assert.ok(res.deletedSegments > 0);
    assert.ok(log.segments.length < segs);
    for (const seg of log.segments.slice(0, -1)) assert.ok(now - seg.maxTimestamp <= 10_000);
    assert.equal(log.logStartOffset, log.segments[0]!.baseOffset);
    assert.equal(res.logStartOffset, log.logStartOffset);
    const r = log.read(0, 1 << 20);
    assert.ok('error' in r && r.error === 'OFFSET_OUT_OF_RANGE');
    const start = log.logStartOffset;
    const dir = log.dir;
    await log.close();
    const reopened = open({ retentionMs: 10_000 }, () => now, dir);
    assert.equal(reopened.logStartOffset, start, 'log start persisted');
    await reopened.close();
  });

  it('never deletes the active segment, but rolls it when all of it expired or segment.ms passed', async () => {
    let now = T0;
    const log = open({ retentionMs: 1000, segmentBytes: 1 << 20, segmentMs: 60_000 }, () => now);
    log.append(batch({ records: 3, timestamp: T0 }));
    now = T0 + 500;
    assert.deepEqual(applyRetention(log, now), {
      rolled: false,
      deletedSegments: 0,
      deletedBytes: 0,
      logStartOffset: 0,
    });
    now = T0 + 2000;
    const res = applyRetention(log, now);
    assert.equal(res.rolled, true);
    assert.equal(res.deletedSegments, 1);
    assert.equal(log.logStartOffset, 3);
    assert.equal(log.logEndOffset, 3);
    assert.equal(log.segments.length, 1, 'only the new, empty active segment is left');
    // segment.ms: an idle active segment with future timestamps is rolled but kept.
    log.setConfig({ segmentMs: 1000 });
    log.append(batch({ records: 2, timestamp: T0 + 1_000_000 }));
    now += 1500;
    const rolled = applyRetention(log, now);
    assert.equal(rolled.rolled, true);
    assert.equal(rolled.deletedSegments, 0);
    assert.equal(log.segments.length, 2);
    await log.close();
  });

  it('deletes the oldest closed segments while the partition exceeds retention.bytes', async () => {
    const log = open({ retentionBytes: 2500, retentionMs: -1 }, () => T0);
    for (let i = 0; i < 30; i++) log.append(batch({ records: 1, valueSize: 150, timestamp: T0 }));
    const total = (): number => log.segments.reduce((s, seg) => s + seg.size, 0);
    assert.ok(total() > 4000);
    const res = applyRetention(log, T0);
    assert.ok(res.deletedSegments > 0);
    assert.ok(total() >= 2500, 'never below the limit by more than needed');
    assert.ok(total() - log.segments[0]!.size < 2500, 'one more deletion would go below the limit');
    await log.close();
  });

  it('keeps everything for cleanup.policy=compact, and treats files without timestamps by mtime', async () => {
    const log = open({ retentionMs: 1, cleanupPolicy: { delete: false, compact: true } }, () => T0);
    for (let i = 0; i < 10; i++) log.append(batch({ records: 1, valueSize: 300, timestamp: T0 - 1e9 }));
    assert.equal(applyRetention(log, T0 + 1e9).deletedSegments, 0);
    log.setConfig({ cleanupPolicy: { delete: true, compact: true } });
    assert.ok(applyRetention(log, T0 + 1e9).deletedSegments > 0, 'compact,delete deletes too');
    await log.close();
    const log2 = open({ retentionMs: 60_000 }, () => Date.now());
    for (let i = 0; i < 10; i++) log2.append(batch({ records: 1, valueSize: 300, timestamp: -1 }));
    const first = log2.segments[0]!;
    assert.equal(first.maxTimestamp, -1);
    assert.equal(applyRetention(log2, Date.now()).deletedSegments, 0, 'fresh files are kept');
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(first.logPath, old, old);
    assert.equal(applyRetention(log2, Date.now()).deletedSegments, 1, 'old file goes by mtime');
    await log2.close();
  });

  it('runs in the LogManager background and follows updateConfigs', async () => {
    const mgr = await LogManager.open(freshDir());
    const meta = mgr.createTopic('events', 1, { 'segment.bytes': '1000' });
    assert.ok(!('error' in meta));
    const log = mgr.getPartition('events', 0)!;
    const old = Date.now() - 3_600_000;
    for (let i = 0; i < 20; i++) log.append(batch({ records: 1, valueSize: 200, timestamp: old }));
    mgr.startBackgroundTasks({ retentionCheckIntervalMs: 20, cleanerIntervalMs: 20 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(log.logStartOffset, 0, 'default retention (7 days) keeps hour-old data');
    assert.ok(!('error' in mgr.updateConfigs('events', { 'retention.ms': '60000' })));
    const deadline = Date.now() + 5000;
    while (log.logStartOffset < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(log.logStartOffset, 20, 'everything expired under the new config');
    await mgr.close();
  });
});
