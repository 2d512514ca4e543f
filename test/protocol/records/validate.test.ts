import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  BATCH_HEADER_SIZE,
  type BuildRecordBatchOptions,
  buildRecordBatch,
  ERROR_CORRUPT_MESSAGE,
  ERROR_INVALID_RECORD,
  ERROR_MESSAGE_TOO_LARGE,
  ERROR_UNSUPPORTED_FOR_MESSAGE_FORMAT,
  type ValidateOptions,
  type ValidationResult,
  validateProducedBatches,
  writeBatchCrc,
} from '../../../src/protocol/records/index.ts';

const OPTS = { maxMessageBytes: 1_000_000 };

function batch(n = 3, extra: Partial<BuildRecordBatchOptions> = {}): Buffer {
  const records = Array.from({ length: n }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`value ${i}`),
    timestamp: 1_700_000_000_000 + i,
  }));
  return buildRecordBatch({ records, ...extra });
}

function errorOf(buf: Buffer, opts: ValidateOptions = OPTS): { errorCode: number; message: string } {
  const res = validateProducedBatches(buf, opts);
  assert.equal(res.ok, false, 'expected a validation failure');
  return res as Extract<ValidationResult, { ok: false }>;
}

/** Applies `edit` to a copy of the batch and fixes the CRC, so only the edited rule can fail. */
function edited(buf: Buffer, edit: (b: Buffer) => void): Buffer {
  const b = Buffer.from(buf);
  edit(b);
  writeBatchCrc(b);
  return b;
}

describe('validateProducedBatches', () => {
  it('accepts producer batches under every codec and reports them', () => {
    for (const compression of [0, 1, 2, 3, 4]) {
      const buf = batch(5, { compression, producerId: 9, producerEpoch: 0, baseSequence: 0 });
      const res = validateProducedBatches(buf, { ...OPTS, deepValidate: true, requireKeys: true });
      assert.ok(res.ok);
      assert.equal(res.recordCount, 5);
      assert.equal(res.batches.length, 1);
      assert.deepEqual(
        { at: res.batches[0]?.at, size: res.batches[0]?.size, count: res.batches[0]?.header.recordCount },
        { at: 0, size: buf.length, count: 5 },
      );
    }
  });

  it('an empty record set is valid with no batches', () => {
    assert.deepEqual(validateProducedBatches(Buffer.alloc(0), OPTS), {
      ok: true,
      batches: [],
      recordCount: 0,
    });
  });

  it('magic 0 and 1 -> 43 UNSUPPORTED_FOR_MESSAGE_FORMAT', () => {
    for (const magic of [0, 1]) {
      const e = errorOf(edited(batch(), (b) => (b[16] = magic)));
      assert.equal(e.errorCode, ERROR_UNSUPPORTED_FOR_MESSAGE_FORMAT);
      assert.match(e.message, new RegExp(`v${magic}`));
    }
    assert.equal(errorOf(edited(batch(), (b) => (b[16] = 3))).errorCode, ERROR_CORRUPT_MESSAGE);
  });

  it('truncated, over-long or trailing bytes -> 2 CORRUPT_MESSAGE', () => {
    const buf = batch();
    for (let cut = 1; cut < buf.length; cut++) {
      assert.equal(errorOf(buf.subarray(0, cut)).errorCode, ERROR_CORRUPT_MESSAGE, `cut ${cut}`);
    }
    for (const extra of [1, 11, 12, 30, 61]) {
      const b = Buffer.concat([buf, Buffer.alloc(extra)]);
      assert.equal(errorOf(b).errorCode, ERROR_CORRUPT_MESSAGE, `extra ${extra}`);
    }
    assert.equal(errorOf(edited(buf, (b) => b.writeInt32BE(b.length, 8))).errorCode, ERROR_CORRUPT_MESSAGE);
    assert.equal(errorOf(edited(buf, (b) => b.writeInt32BE(20, 8))).errorCode, ERROR_CORRUPT_MESSAGE);
  });

  it('CRC mismatch -> 2 CORRUPT_MESSAGE, for a flip anywhere in the CRC range', () => {
    const buf = batch();
    fc.assert(
      fc.property(fc.integer({ min: 21, max: buf.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const b = Buffer.from(buf);
        b[i]! ^= x;
        const e = errorOf(b);
        assert.equal(e.errorCode, ERROR_CORRUPT_MESSAGE);
        assert.match(e.message, /CRC/);
      }),
    );
  });

  it('batch over max.message.bytes -> 10 MESSAGE_TOO_LARGE', () => {
    const buf = batch();
    assert.equal(errorOf(buf, { maxMessageBytes: buf.length - 1 }).errorCode, ERROR_MESSAGE_TOO_LARGE);
    assert.ok(validateProducedBatches(buf, { maxMessageBytes: buf.length }).ok);
  });

  it('record count and lastOffsetDelta rules -> 87 INVALID_RECORD', () => {
    const buf = batch(3);
    assert.equal(errorOf(edited(buf, (b) => b.writeInt32BE(0, 57))).errorCode, ERROR_INVALID_RECORD);
    assert.equal(errorOf(edited(buf, (b) => b.writeInt32BE(-1, 57))).errorCode, ERROR_INVALID_RECORD);
    assert.equal(errorOf(edited(buf, (b) => b.writeInt32BE(5, 23))).errorCode, ERROR_INVALID_RECORD);
    // count and delta consistent with each other but not with the records: only the deep check sees it
    const lying = edited(buf, (b) => {
      b.writeInt32BE(4, 57);
      b.writeInt32BE(3, 23);
    });
    assert.ok(validateProducedBatches(lying, OPTS).ok);
    assert.equal(errorOf(lying, { ...OPTS, deepValidate: true }).errorCode, ERROR_CORRUPT_MESSAGE);
  });

  it('other producer rules -> 87 INVALID_RECORD', () => {
    assert.equal(errorOf(batch(1, { baseOffset: 5 })).errorCode, ERROR_INVALID_RECORD);
    assert.ok(
      validateProducedBatches(batch(1, { baseOffset: 5 }), { ...OPTS, allowNonZeroBaseOffset: true }).ok,
    );
    assert.equal(errorOf(batch(1, { transactional: true })).errorCode, ERROR_INVALID_RECORD);
    assert.equal(errorOf(batch(1, { producerId: 4, baseSequence: -1 })).errorCode, ERROR_INVALID_RECORD);
    const two = Buffer.concat([batch(1), batch(2)]);
    assert.equal(errorOf(two).errorCode, ERROR_INVALID_RECORD);
    const res = validateProducedBatches(two, { ...OPTS, allowMultipleBatches: true });
    assert.ok(res.ok);
    assert.equal(res.recordCount, 3);
    assert.deepEqual(
      res.batches.map((b) => b.at),
      [0, batch(1).length],
    );
  });

  it('unknown codec -> 2 CORRUPT_MESSAGE', () => {
    assert.equal(errorOf(edited(batch(), (b) => b.writeInt16BE(6, 21))).errorCode, ERROR_CORRUPT_MESSAGE);
  });

  it('deep validation reports record-level errors with their index', () => {
    const records = [0, 1, 5].map((offsetDelta) => ({
      offsetDelta,
      timestampDelta: 0,
      key: offsetDelta === 1 ? null : Buffer.from('k'),
      value: null,
      headers: [],
    }));
    const buf = buildRecordBatch({ records, lastOffsetDelta: 2, compression: 'snappy' });
    assert.ok(validateProducedBatches(buf, OPTS).ok, 'header-only validation cannot see inside records');
    const res = validateProducedBatches(buf, { ...OPTS, requireKeys: true });
    assert.equal(res.ok, false);
    assert.ok(!res.ok);
    assert.equal(res.errorCode, ERROR_INVALID_RECORD);
    assert.deepEqual(
      res.recordErrors?.map((e) => e.batchIndex),
      [1, 2],
    );
  });

  it('deep validation turns a corrupt compressed payload into 2 CORRUPT_MESSAGE', () => {
    const buf = edited(batch(3, { compression: 'lz4' }), (b) => b.fill(0xaa, BATCH_HEADER_SIZE + 8));
    assert.ok(validateProducedBatches(buf, OPTS).ok);
    assert.equal(errorOf(buf, { ...OPTS, deepValidate: true }).errorCode, ERROR_CORRUPT_MESSAGE);
  });

  it('random bytes always give a result, never an exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (a, deep) => {
        const b = Buffer.from(a);
        if (b.length > 17) b[16] = 2;
        const res = validateProducedBatches(b, { ...OPTS, deepValidate: deep, allowMultipleBatches: true });
        assert.equal(typeof res.ok, 'boolean');
      }),
      { numRuns: 3000 },
    );
  });
});
