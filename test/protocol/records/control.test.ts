import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecodeError } from '../../../src/protocol/primitives/index.ts';
import {
  buildControlBatch,
  CONTROL_TYPE_ABORT,
  CONTROL_TYPE_COMMIT,
  decodeControlKey,
  decodeControlValue,
  decodeRecordBatch,
  encodeControlKey,
  encodeControlValue,
  validateProducedBatches,
} from '../../../src/protocol/records/index.ts';

describe('control records', () => {
  it('encodes key and value as Kafka lays them out', () => {
    assert.deepEqual(encodeControlKey(CONTROL_TYPE_COMMIT), Buffer.from([0, 0, 0, 1]));
    assert.deepEqual(encodeControlValue(5), Buffer.from([0, 0, 0, 0, 0, 5]));
    assert.deepEqual(decodeControlKey(Buffer.from([0, 0, 0, 0])), { version: 0, type: CONTROL_TYPE_ABORT });
    assert.deepEqual(decodeControlValue(Buffer.from([0, 0, 0, 0, 1, 0, 9, 9])), {
      version: 0,
      coordinatorEpoch: 256,
    });
  });

  it('rejects short or null keys and values', () => {
    assert.throws(() => decodeControlKey(null), DecodeError);
    assert.throws(() => decodeControlKey(Buffer.from([0, 0, 0])), DecodeError);
    assert.throws(() => decodeControlKey(Buffer.from([0xff, 0xff, 0, 0])), DecodeError);
    assert.throws(() => decodeControlValue(Buffer.alloc(5)), DecodeError);
  });

  it('builds a control batch', () => {
    const buf = buildControlBatch({
      type: 'commit',
      producerId: 77,
      producerEpoch: 3,
      coordinatorEpoch: 12,
      timestamp: 1_700_000_000_000,
      baseOffset: 500,
      partitionLeaderEpoch: 2,
    });
    const { header, records } = decodeRecordBatch(buf);
    assert.equal(header.attributes, 0x30);
    assert.equal(header.baseOffset, 500);
    assert.equal(header.partitionLeaderEpoch, 2);
    assert.equal(header.producerId, 77);
    assert.equal(header.producerEpoch, 3);
    assert.equal(header.baseSequence, -1);
    assert.equal(header.baseTimestamp, 1_700_000_000_000);
    assert.equal(header.maxTimestamp, 1_700_000_000_000);
    assert.equal(header.recordCount, 1);
    assert.equal(header.lastOffsetDelta, 0);
    assert.equal(records.length, 1);
    assert.deepEqual(decodeControlKey(records[0]!.key), { version: 0, type: CONTROL_TYPE_COMMIT });
    assert.deepEqual(decodeControlValue(records[0]!.value), { version: 0, coordinatorEpoch: 12 });
  });

  it('clients may not produce control batches', () => {
    const buf = buildControlBatch({ type: CONTROL_TYPE_ABORT, producerId: 1, producerEpoch: 0 });
    const res = validateProducedBatches(buf, { maxMessageBytes: 1 << 20 });
    assert.equal(res.ok, false);
    assert.equal(!res.ok && res.errorCode, 87);
    assert.equal(
      validateProducedBatches(buf, { maxMessageBytes: 1 << 20, allowControlBatches: true }).ok,
      true,
    );
  });
});
