/** verifyDataDir (samsa log:verify) over a real data directory with damage of each kind it reports. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { LogManager } from '../../src/log/log-manager.ts';
import { verifyDataDir } from '../../src/log/log-verify.ts';
import { batch, tempDir } from './helpers.ts';

const tmp = tempDir();
after(tmp.cleanup);
let n = 0;

/** A data dir with topic `t`: several sealed segments with index entries, and an active one. */
async function dataDir(): Promise<{ dir: string; segments: string[] }> {
  const dir = path.join(tmp.dir, `d-${n++}`);
  const mgr = await LogManager.open(dir);
  const created = mgr.createTopic('t', 1, { 'segment.bytes': '8192', 'index.interval.bytes': '512' });
  assert.ok(!('error' in created));
  const log = mgr.getPartition('t', 0)!;
  for (let i = 0; i < 80; i++)
    log.append(batch({ records: 3, valueSize: 100, timestamp: 1_700_000_000_000 + i }));
  await mgr.close();
  const part = path.join(dir, 't-0');
  const segments = fs
    .readdirSync(part)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => path.join(part, f));
  assert.ok(segments.length >= 3);
  return { dir, segments };
}

const errors = (dir: string, deep = false) =>
  verifyDataDir(dir, { deep }).problems.filter((p) => p.severity === 'error');

describe('log verification', () => {
  it('finds nothing wrong in a healthy directory, and counts what it read', async () => {
    const { dir } = await dataDir();
    const report = verifyDataDir(dir, { deep: true });
    assert.deepEqual(report.problems, []);
    assert.equal(report.partitions, 1);
    assert.equal(report.batches >= 80, true);
    assert.equal(report.records >= 240, true);
  });

  it('with --deep, finds a flipped byte inside a record (CRC)', async () => {
    const { dir, segments } = await dataDir();
    const fd = fs.openSync(segments[1]!, 'r+');
    fs.writeSync(fd, Buffer.from([0xff]), 0, 1, 150);
    fs.closeSync(fd);
    assert.deepEqual(errors(dir), [], 'framing is intact');
    const found = errors(dir, true);
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /CRC-32C mismatch in the batch of offsets \d+ to \d+/);
    assert.equal(found[0]!.file, path.join('t-0', path.basename(segments[1]!)));
  });

  it('finds index entries that point at the wrong place, and a time index that stops short', async () => {
    const { dir, segments } = await dataDir();
    const index = segments[0]!.replace(/\.log$/, '.index');
    const buf = fs.readFileSync(index);
    buf.writeInt32BE(buf.readInt32BE(4) + 3, 4);
    fs.writeFileSync(index, buf);
    const timeIndex = segments[1]!.replace(/\.log$/, '.timeindex');
    const times = fs.readFileSync(timeIndex);
    fs.writeFileSync(timeIndex, times.subarray(0, times.length - 12));
    const found = errors(dir).map((p) => `${path.basename(p.file)}: ${p.message}`);
    assert.equal(found.length, 2, found.join('\n'));
    assert.match(
      found[0]!,
      /\.index: entry for offset \d+ points at position \d+, which is not the start of a batch/,
    );
    assert.match(found[1]!, /\.timeindex: ends at timestamp \d+ but the segment holds records up to \d+/);
  });

  it('a missing index of a sealed segment is a warning (the broker rebuilds it)', async () => {
    const { dir, segments } = await dataDir();
    fs.rmSync(segments[0]!.replace(/\.log$/, '.index'));
    const report = verifyDataDir(dir);
    assert.deepEqual(errors(dir), []);
    assert.equal(report.problems.length, 1);
    assert.match(report.problems[0]!.message, /missing \(rebuilt from the log on the next start\)/);
  });
});
