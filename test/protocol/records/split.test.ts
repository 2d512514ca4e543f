import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../../src/protocol/primitives/index.ts';
import { buildRecordBatch, iterateBatches, splitBatches } from '../../../src/protocol/records/index.ts';

function batch(n: number, baseOffset: number): Buffer {
  const records = Array.from({ length: n }, (_, i) => ({
    key: null,
    value: Buffer.from(`v${i}`),
    timestamp: i,
  }));
  return buildRecordBatch({ records, baseOffset });
}

describe('splitBatches', () => {
  it('finds every batch and stops cleanly at any cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (sizes, cutSeed) => {
          const parts = sizes.map((n, i) => batch(n, i * 10));
          const all = Buffer.concat(parts);
          const cut = cutSeed % (all.length + 1);
          const res = splitBatches(all.subarray(0, cut));
          let end = 0;
          let complete = 0;
          for (const p of parts) {
            if (end + p.length > cut) break;
            end += p.length;
            complete++;
          }
          assert.equal(res.batches.length, complete);
          assert.equal(res.completeBytes, end);
          assert.equal(res.partialBytes, cut - end);
          res.batches.forEach((b, i) => {
            assert.equal(b.size, parts[i]!.length);
            assert.equal(b.header.baseOffset, i * 10);
            assert.equal(b.header.recordCount, sizes[i]);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the iterator returns where the complete batches end', () => {
    const buf = Buffer.concat([batch(1, 0), batch(2, 1), batch(1, 3).subarray(0, 30)]);
    const it = iterateBatches(buf);
    const offsets: number[] = [];
    let next = it.next();
    while (!next.done) {
      offsets.push(next.value.offset);
      next = it.next();
    }
    assert.equal(offsets.length, 2);
    assert.equal(next.value, buf.length - 30);
  });

  it('a length too small for a header is corruption, not a partial batch', () => {
    const buf = batch(1, 0);
    buf.writeInt32BE(20, 8);
    assert.throws(() => splitBatches(buf), DecodeError);
  });

  it('empty input has no batches', () => {
    assert.deepEqual(splitBatches(Buffer.alloc(0)), { batches: [], completeBytes: 0, partialBytes: 0 });
  });
});
