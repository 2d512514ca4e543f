/** The load generator's wire helpers: frame splitting across chunks, batch walking, percentiles, RESP. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FrameReader } from '../../bench/kafka/frame-reader.ts';
import { walkBatches } from '../../bench/kafka/record-walk.ts';
import { LatencySamples } from '../../bench/lib/percentiles.ts';
import { encodeCommand } from '../../bench/peers/resp.ts';
import { buildRecordBatch } from '../../src/protocol/records/batch.ts';

function framed(body: string): Buffer {
  const b = Buffer.from(body);
  const out = Buffer.alloc(4 + b.length);
  out.writeInt32BE(b.length, 0);
  b.copy(out, 4);
  return out;
}

it('splits frames whatever the chunk boundaries', () => {
  const stream = Buffer.concat([framed('a'), framed('bcdef'), framed(''), framed('x'.repeat(300))]);
  for (let step = 1; step <= stream.length; step++) {
    const reader = new FrameReader();
    const got: string[] = [];
    for (let i = 0; i < stream.length; i += step) {
      reader.push(stream.subarray(i, i + step), (f) => got.push(f.toString()));
    }
    assert.deepEqual(got, ['a', 'bcdef', '', 'x'.repeat(300)], `chunk size ${step}`);
  }
});

it('walks whole batches and stops at a partial one', () => {
  const value = Buffer.alloc(100);
  const a = buildRecordBatch({
    records: [
      { key: null, value },
      { key: null, value },
    ],
    baseOffset: 10,
  });
  const b = buildRecordBatch({ records: [{ key: null, value }], baseOffset: 12 });
  const all = Buffer.concat([a, b]);
  assert.deepEqual(walkBatches(all), { records: 3, bytes: all.length, nextOffset: 13n });
  assert.deepEqual(walkBatches(all.subarray(0, all.length - 1)), {
    records: 2,
    bytes: a.length,
    nextOffset: 12n,
  });
  assert.deepEqual(walkBatches(null), { records: 0, bytes: 0, nextOffset: -1n });
});

it('computes nearest-rank percentiles', () => {
  const s = new LatencySamples(1000);
  for (let i = 1; i <= 1000; i++) s.add(i);
  assert.deepEqual(s.percentiles([50, 99, 99.9, 100]), [500, 990, 999, 1000]);
  assert.deepEqual(new LatencySamples(4).percentiles([50]), [null]);
});

it('encodes RESP commands', () => {
  assert.equal(encodeCommand(['XADD', 's', '*']).toString(), '*3\r\n$4\r\nXADD\r\n$1\r\ns\r\n$1\r\n*\r\n');
});
