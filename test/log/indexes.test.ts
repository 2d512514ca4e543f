import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { OffsetIndex } from '../../src/log/offset-index.ts';
import { TimeIndex } from '../../src/log/time-index.ts';
import { tempDir } from './helpers.ts';

const tmp = tempDir();
after(tmp.cleanup);

describe('OffsetIndex', () => {
  it('looks up the last entry at or before an offset (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 300 }),
        fc.nat(1_100_000),
        (raw, q) => {
          const offsets = [...raw].sort((a, b) => a - b);
          const idx = new OffsetIndex(`${tmp.dir}/p.index`, 1000, 1 << 20);
          for (const [i, o] of offsets.entries()) idx.append(1000 + o, i * 10 + 1);
          const expected = offsets.findLastIndex((o) => o <= q);
          assert.deepEqual(
            idx.lookup(1000 + q),
            expected < 0
              ? { offset: 1000, position: 0 }
              : { offset: 1000 + offsets[expected]!, position: expected * 10 + 1 },
          );
        },
      ),
    );
  });

  it('persists lazily, reloads, and drops an inconsistent tail', () => {
    const file = `${tmp.dir}/a.index`;
    const idx = new OffsetIndex(file, 50, 1 << 20);
    for (let i = 1; i <= 10; i++) idx.append(50 + i * 3, i * 100);
    assert.equal(fs.existsSync(file), false);
    idx.persist();
    assert.equal(fs.statSync(file).size, 80);
    fs.appendFileSync(file, Buffer.from([0, 0, 0, 1, 0, 0, 0, 5, 9, 9])); // backwards entry + torn bytes
    const loaded = new OffsetIndex(file, 50, 1 << 20, fs.readFileSync(file));
    assert.equal(loaded.sanitize(950), 2, 'drops the position beyond the log and the backwards entry');
    assert.equal(loaded.entries, 9);
    loaded.persist();
    assert.equal(fs.statSync(file).size, 72);
  });

  it('reports full at its byte limit', () => {
    const idx = new OffsetIndex(`${tmp.dir}/f.index`, 0, 24);
    assert.equal(idx.append(1, 10) && idx.append(2, 20) && idx.append(3, 30), true);
    assert.equal(idx.isFull, true);
    assert.equal(idx.append(4, 40), false);
  });
});

describe('TimeIndex', () => {
  it('keeps strictly increasing timestamps and finds the last entry before a timestamp', () => {
    const idx = new TimeIndex(`${tmp.dir}/t.timeindex`, 100, 1 << 20);
    assert.equal(idx.maybeAppend(1000, 100), true);
    assert.equal(idx.maybeAppend(1000, 105), false);
    assert.equal(idx.maybeAppend(2000, 110), true);
    assert.equal(idx.maybeAppend(3000, 120), true);
    assert.equal(idx.lastBefore(1000), null);
    assert.deepEqual(idx.lastBefore(2500), { timestamp: 2000, offset: 110 });
    assert.deepEqual(idx.lastBefore(9999), { timestamp: 3000, offset: 120 });
    idx.truncateAfterOffset(115);
    assert.deepEqual(idx.last(), { timestamp: 2000, offset: 110 });
    idx.persist();
    const loaded = new TimeIndex(
      `${tmp.dir}/t.timeindex`,
      100,
      1 << 20,
      fs.readFileSync(`${tmp.dir}/t.timeindex`),
    );
    assert.deepEqual(loaded.last(), { timestamp: 2000, offset: 110 });
  });
});
