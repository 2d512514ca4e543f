/** The lean consumer's in-place receive buffer: frames split across reads, several per read, growth. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { ReceiveBuffer } from '../../bench/kafka/receive-buffer.ts';

function framed(bodies: Buffer[]): Buffer {
  return Buffer.concat(
    bodies.flatMap((b) => {
      const head = Buffer.alloc(4);
      head.writeInt32BE(b.length);
      return [head, b];
    }),
  );
}

it('hands out every frame intact whatever the read sizes', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 300_000 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 20 }),
      (bodies, readSizes) => {
        const stream = framed(bodies.map((b) => Buffer.from(b)));
        const rb = new ReceiveBuffer(128 * 1024);
        const seen: Buffer[] = [];
        let at = 0;
        let i = 0;
        while (at < stream.length) {
          const space = rb.space();
          const n = Math.min(space.length, readSizes[i++ % readSizes.length]!, stream.length - at);
          stream.copy(space, 0, at, at + n);
          at += n;
          // Views are valid until the next read: copy them as a consumer would use them.
          rb.received(n, (body) => seen.push(Buffer.from(body)));
        }
        assert.equal(seen.length, bodies.length);
        for (const [k, b] of bodies.entries()) assert.deepEqual(seen[k], Buffer.from(b));
      },
    ),
    { numRuns: 60 },
  );
});
