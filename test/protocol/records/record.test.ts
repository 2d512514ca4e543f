import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DecodeError, Reader, Writer } from '../../../src/protocol/primitives/index.ts';
import {
  decodeRecord,
  decodeRecords,
  encodeRecord,
  encodeRecords,
  type Record,
} from '../../../src/protocol/records/record.ts';
import { recordArb } from './arbitraries.ts';

describe('record', () => {
  it('round-trips any record', () => {
    fc.assert(
      fc.property(recordArb, (rec) => {
        const w = new Writer();
        encodeRecord(w, rec);
        const buf = w.toBuffer();
        const r = new Reader(buf);
        assert.deepEqual(decodeRecord(r), rec);
        assert.equal(r.remaining, 0);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips record lists', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 20 }), (recs) => {
        assert.deepEqual(decodeRecords(encodeRecords(recs), recs.length), recs);
      }),
      { numRuns: 200 },
    );
  });

  it('matches the spec byte layout', () => {
    const rec: Record = {
      offsetDelta: 1,
      timestampDelta: -2,
      key: null,
      value: Buffer.from('hi'),
      headers: [{ key: 'a', value: null }],
    };
    // length 11 (zigzag 22), attrs 0, ts zigzag(-2)=3, offset zigzag(1)=2, key -1=1, value len 2=4 'hi',
    // 1 header=2, key len 1=2 'a', value -1=1
    const expected = Buffer.from([22, 0, 3, 2, 1, 4, 0x68, 0x69, 2, 2, 0x61, 1]);
    assert.deepEqual(encodeRecords([rec]), expected);
    assert.deepEqual(decodeRecords(expected, 1), [{ ...rec, attributes: 0 }]);
  });

  it('keys and values are views of the input (no copies)', () => {
    const buf = encodeRecords([
      { offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k'), value: Buffer.from('v'), headers: [] },
    ]);
    const [rec] = decodeRecords(buf, 1);
    assert.equal(rec?.value?.buffer, buf.buffer);
  });

  it('every truncation is a DecodeError', () => {
    fc.assert(
      fc.property(recordArb, (rec) => {
        const buf = encodeRecords([rec]);
        for (let n = 0; n < buf.length; n++) {
          assert.throws(() => decodeRecords(buf.subarray(0, n), 1), DecodeError);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('rejects bad lengths, counts and trailing bytes', () => {
    const good = encodeRecords([{ offsetDelta: 0, timestampDelta: 0, key: null, value: null, headers: [] }]);
    assert.throws(() => decodeRecords(good, 2), DecodeError); // count larger than what fits
    assert.throws(() => decodeRecords(Buffer.concat([good, Buffer.from([0])]), 1), DecodeError);
    assert.throws(() => decodeRecords(good, -1), DecodeError);
    // key length -2
    assert.throws(() => decodeRecords(Buffer.from([12, 0, 0, 0, 3, 1, 0]), 1), DecodeError);
    // header count 1000 in a 7-byte record
    assert.throws(() => decodeRecords(Buffer.from([12, 0, 0, 0, 1, 1, 0xd0, 0x0f]), 1), DecodeError);
    // null header key
    assert.throws(() => decodeRecords(Buffer.from([16, 0, 0, 0, 1, 1, 2, 1, 1]), 1), DecodeError);
    // record length shorter than its fields
    assert.throws(() => decodeRecords(Buffer.from([12, 0, 0, 0, 1, 4, 0x61, 0x62, 0]), 1), DecodeError);
  });

  it('random bytes never throw anything but DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 40 }), (a, count) => {
        try {
          decodeRecords(Buffer.from(a), count);
        } catch (e) {
          assert.ok(e instanceof DecodeError, String(e));
        }
      }),
      { numRuns: 5000 },
    );
  });
});
