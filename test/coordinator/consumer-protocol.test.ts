import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  subscribedTopicsOf,
} from '../../src/coordinator/consumer-protocol.ts';
import { DecodeError } from '../../src/protocol/primitives/index.ts';

describe('consumer protocol codec', () => {
  test('subscription v0 bytes as Java clients send them', () => {
    const bytes = encodeSubscription({ topics: ['ab'] }, 0);
    assert.deepEqual(bytes, Buffer.from([0, 0, 0, 0, 0, 1, 0, 2, 0x61, 0x62, 0xff, 0xff, 0xff, 0xff]));
    assert.deepEqual(subscribedTopicsOf(bytes), ['ab']);
  });

  test('subscription v3 round-trips; topics readable through the v0 prefix', () => {
    const sub = {
      topics: ['a', 'b'],
      userData: Buffer.from('u'),
      ownedPartitions: [{ topic: 'a', partitions: [0, 2] }],
      generationId: 7,
      rackId: 'rack-1',
    };
    const bytes = encodeSubscription(sub, 3);
    assert.deepEqual(decodeSubscription(bytes), { version: 3, ...sub });
    assert.deepEqual(subscribedTopicsOf(bytes), ['a', 'b']);
  });

  test('a newer version is read with the layout we know', () => {
    const bytes = Buffer.concat([encodeSubscription({ topics: ['a'] }, 3), Buffer.from([9, 9, 9])]);
    bytes.writeInt16BE(5, 0);
    assert.deepEqual(decodeSubscription(bytes).topics, ['a']);
  });

  test('assignment round-trips', () => {
    const a = { assignedPartitions: [{ topic: 't', partitions: [1, 2, 3] }], userData: null };
    assert.deepEqual(decodeAssignment(encodeAssignment(a, 0)), { version: 0, ...a });
  });

  test('property: subscriptions round-trip at every version', () => {
    const tp = fc
      .record({ topic: fc.string(), partitions: fc.array(fc.integer({ min: 0, max: 1000 })) })
      .map((r) => ({ ...r }));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.string()),
        fc.option(fc.uint8Array()),
        fc.array(tp),
        fc.integer({ min: -1, max: 1000 }),
        fc.option(fc.string()),
        (version, topics, userData, ownedPartitions, generationId, rackId) => {
          const sub = {
            topics,
            userData: userData === null ? null : Buffer.from(userData),
            ownedPartitions: version >= 1 ? ownedPartitions : [],
            generationId: version >= 2 ? generationId : -1,
            rackId: version >= 3 ? rackId : null,
          };
          assert.deepEqual(decodeSubscription(encodeSubscription(sub, version)), { version, ...sub });
        },
      ),
    );
  });

  test('property: malformed bytes only raise DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        for (const decode of [decodeSubscription, decodeAssignment, subscribedTopicsOf]) {
          try {
            decode(Buffer.from(bytes));
          } catch (e) {
            assert.ok(e instanceof DecodeError);
          }
        }
      }),
    );
  });
});
