import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  decodeGroupMetadataValue,
  encodeGroupMetadataValue,
  type GroupMetadataValue,
} from '../../../src/coordinator/records/group-metadata.ts';
import {
  decodeOffsetCommitValue,
  encodeOffsetCommitValue,
} from '../../../src/coordinator/records/offset-commit.ts';
import { offsetsPartitionFor } from '../../../src/coordinator/records/partition.ts';
import {
  decodeRecord,
  groupMetadataRecord,
  offsetCommitRecord,
} from '../../../src/coordinator/records/record.ts';
import { DecodeError, Writer } from '../../../src/protocol/primitives/index.ts';

describe('__consumer_offsets records', () => {
  test('offset commit key is version 1 with group, topic, partition (Kafka bytes)', () => {
    const { key } = offsetCommitRecord({ group: 'g', topic: 't', partition: 3 }, null);
    assert.deepEqual(key, Buffer.from([0, 1, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 3]));
  });

  test('offset commit value version 3 round-trips, version 1 when an expire timestamp is kept', () => {
    const v3 = { offset: 42n, leaderEpoch: 5, metadata: 'm', commitTimestamp: 1000n, expireTimestamp: -1n };
    const bytes = encodeOffsetCommitValue(v3);
    assert.equal(bytes.readInt16BE(0), 3);
    assert.deepEqual(decodeOffsetCommitValue(bytes), v3);
    const v1 = { offset: 42n, leaderEpoch: -1, metadata: '', commitTimestamp: 1000n, expireTimestamp: 2000n };
    const b1 = encodeOffsetCommitValue(v1);
    assert.equal(b1.readInt16BE(0), 1);
    assert.deepEqual(decodeOffsetCommitValue(b1), v1);
  });

  test('offset commit value versions 0 and 4 (flexible) decode', () => {
    const v0 = new Writer().writeInt16(0).writeInt64(7n).writeString('x').writeInt64(9n).toBuffer();
    assert.deepEqual(decodeOffsetCommitValue(v0), {
      offset: 7n,
      leaderEpoch: -1,
      metadata: 'x',
      commitTimestamp: 9n,
      expireTimestamp: -1n,
    });
    const v4 = new Writer()
      .writeInt16(4)
      .writeInt64(7n)
      .writeInt32(2)
      .writeCompactString('meta')
      .writeInt64(9n)
      .writeUVarint(1) // one unknown tagged field
      .writeUVarint(5)
      .writeUVarint(2)
      .writeRaw(Buffer.from([1, 2]))
      .toBuffer();
    assert.deepEqual(decodeOffsetCommitValue(v4), {
      offset: 7n,
      leaderEpoch: 2,
      metadata: 'meta',
      commitTimestamp: 9n,
      expireTimestamp: -1n,
    });
  });

  test('group metadata value version 3 round-trips', () => {
    const value: GroupMetadataValue = {
      protocolType: 'consumer',
      generation: 4,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 123n,
      members: [
        {
          memberId: 'm1',
          groupInstanceId: 'i1',
          clientId: 'c',
          clientHost: '/1.2.3.4',
          rebalanceTimeout: 30000,
          sessionTimeout: 10000,
          subscription: Buffer.from('sub'),
          assignment: Buffer.alloc(600, 1),
        },
      ],
    };
    const bytes = encodeGroupMetadataValue(value);
    assert.equal(bytes.readInt16BE(0), 3);
    assert.deepEqual(decodeGroupMetadataValue(bytes), value);
    const rec = decodeRecord(groupMetadataRecord({ group: 'g' }, value));
    assert.deepEqual(rec, { type: 'group', key: { group: 'g' }, value });
  });

  test('group metadata value version 0 decodes with defaults', () => {
    const v0 = new Writer()
      .writeInt16(0)
      .writeString('consumer')
      .writeInt32(1)
      .writeNullableString(null)
      .writeNullableString(null)
      .writeArrayLength(1)
      .writeString('m')
      .writeString('c')
      .writeString('h')
      .writeInt32(6000)
      .writeBytes(Buffer.from('s'))
      .writeBytes(Buffer.from('a'))
      .toBuffer();
    const decoded = decodeGroupMetadataValue(v0);
    assert.equal(decoded.currentStateTimestamp, -1n);
    assert.deepEqual(decoded.members[0], {
      memberId: 'm',
      groupInstanceId: null,
      clientId: 'c',
      clientHost: 'h',
      rebalanceTimeout: -1,
      sessionTimeout: 6000,
      subscription: Buffer.from('s'),
      assignment: Buffer.from('a'),
    });
  });

  test('unknown key versions are reported, not failed', () => {
    assert.deepEqual(decodeRecord({ key: Buffer.from([0, 3, 0, 0]), value: Buffer.alloc(0) }), {
      type: 'other',
      keyVersion: 3,
    });
  });

  test('offsets partition follows Java hashCode', () => {
    // "hello".hashCode() = 99162322; 99162322 % 50 = 22
    assert.equal(offsetsPartitionFor('hello', 50), 22);
    assert.equal(offsetsPartitionFor('', 50), 0);
    // "polygenelubricants".hashCode() = Integer.MIN_VALUE → abs is 0
    assert.equal(offsetsPartitionFor('polygenelubricants', 50), 0);
  });

  test('property: offset commit records round-trip', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.bigInt({ min: -1n, max: 2n ** 63n - 1n }),
        fc.integer({ min: -1, max: 2 ** 31 - 1 }),
        fc.string({ maxLength: 200 }),
        fc.bigInt({ min: 0n, max: 2n ** 50n }),
        (group, topic, partition, offset, leaderEpoch, metadata, commitTimestamp) => {
          const value = { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp: -1n };
          const decoded = decodeRecord(offsetCommitRecord({ group, topic, partition }, value));
          assert.deepEqual(decoded, { type: 'offset', key: { group, topic, partition }, value });
        },
      ),
    );
  });

  test('property: decoding random bytes never fails except with DecodeError', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.option(fc.uint8Array({ maxLength: 128 })),
        (key, value) => {
          try {
            decodeRecord({ key: Buffer.from(key), value: value === null ? null : Buffer.from(value) });
          } catch (e) {
            assert.ok(e instanceof DecodeError, String(e));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
