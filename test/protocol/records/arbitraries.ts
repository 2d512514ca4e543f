/** fast-check arbitraries shared by the record batch tests. */
import fc from 'fast-check';
import type { Record } from '../../../src/protocol/records/record.ts';

export const nullableBytes = fc.option(
  fc.uint8Array({ maxLength: 700 }).map((a) => Buffer.from(a)),
  { nil: null },
);

export const recordArb: fc.Arbitrary<Record> = fc.record(
  {
    offsetDelta: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    timestampDelta: fc.oneof(
      fc.integer({ min: -1000, max: 1000 }),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.maxSafeInteger(),
      fc.maxSafeNat().map((n) => (n === 0 ? 0 : -n)),
    ),
    key: nullableBytes,
    value: nullableBytes,
    headers: fc.array(
      fc.record(
        { key: fc.string({ unit: 'grapheme', maxLength: 20 }), value: nullableBytes },
        { noNullPrototype: true },
      ),
      {
        maxLength: 4,
      },
    ),
    attributes: fc.integer({ min: -128, max: 127 }),
  },
  { noNullPrototype: true },
);
