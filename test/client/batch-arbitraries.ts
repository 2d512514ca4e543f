/**
 * fast-check arbitraries the RecordBatch encoder's and builder's property tests share: nullable
 * byte strings, header lists, and timestamps around now and far apart (deltas beyond 32 bits,
 * negative deltas).
 */
import fc from 'fast-check';

export const bytes = fc.option(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  { nil: null },
);

export const headers = fc.array(
  fc.tuple(
    fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)),
    bytes,
  ),
  { maxLength: 4 },
);

export const timestamp = fc.oneof(
  fc.integer({ min: 1_700_000_000_000, max: 1_700_000_100_000 }),
  fc.integer({ min: 0, max: 2 ** 45 }),
);
