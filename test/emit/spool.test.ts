/** The spool: frames with checksums, ordered replay across segments, recovery of a torn tail, prepend. */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { decodeFrames, encodeFrame, type QueuedRecord } from '../../src/emit/record.ts';
import { Spool } from '../../src/emit/spool.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'samsa-spool-'));
  dirs.push(d);
  return d;
}

function record(i: number): QueuedRecord {
  return {
    topic: 'events',
    key: Buffer.from(`k${i % 3}`),
    value: Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(i % 50) })),
    headers: [[Buffer.from('ce_id'), Buffer.from(String(i))]],
    timestamp: 1_700_000_000_000 + i,
    size: 0,
  };
}

async function drain(spool: Spool, batch = 64 * 1024): Promise<number[]> {
  const seen: number[] = [];
  for (;;) {
    const read = await spool.read(batch, 100);
    if (read.records.length === 0) return seen;
    for (const r of read.records) seen.push(JSON.parse(r.value!.toString()).i);
    spool.commit(read.end);
  }
}

test('frames round-trip any record, and any single flipped byte is detected', () => {
  const bytes = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));
  const rec = fc.record({
    topic: fc.string({ minLength: 1, maxLength: 20 }),
    key: fc.option(bytes, { nil: undefined }),
    value: fc.option(bytes, { nil: undefined }),
    headers: fc.array(fc.tuple(bytes, bytes), { maxLength: 5 }),
    timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  });
  fc.assert(
    fc.property(rec, fc.nat(), (r, flip) => {
      const frame = encodeFrame({ ...r, size: 0 });
      const [back] = decodeFrames(frame).records;
      assert.equal(back!.topic, r.topic);
      assert.deepEqual(back!.key, r.key);
      assert.deepEqual(back!.value, r.value);
      assert.deepEqual(back!.headers, r.headers);
      assert.equal(back!.timestamp, r.timestamp);
      const bad = Buffer.from(frame);
      const at = 4 + (flip % (bad.length - 4)); // any byte after the length
      bad[at]! ^= 0x40;
      const decoded = decodeFrames(bad);
      assert.equal(decoded.records.length, 0);
      assert.equal(decoded.consumed, 0);
    }),
  );
});

test('records come back in order across segments; delivered segments are deleted', async () => {
  const dir = tempDir();
  const spool = new Spool(dir, { segmentBytes: 4096 });
  for (let i = 0; i < 1000; i++) {
    spool.append(encodeFrame(record(i)));
    if (i % 100 === 0) await spool.written();
  }
  await spool.written();
  assert.ok(readdirSync(dir).filter((f) => f.endsWith('.spool')).length > 5, 'several segments were written');
  assert.deepEqual(
    await drain(spool, 3000),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  assert.equal(spool.empty, true);
  assert.equal(spool.bytes, 0);
  assert.equal(
    readdirSync(dir).filter((f) => f.endsWith('.spool')).length,
    1,
    'only the segment in use is left',
  );
});

test('a reopened spool resumes after the last commit; uncommitted reads are replayed', async () => {
  const dir = tempDir();
  const a = new Spool(dir, { segmentBytes: 2048 });
  for (let i = 0; i < 300; i++) a.append(encodeFrame(record(i)));
  await a.written();
  const first = await a.read(1 << 20, 120);
  a.commit(first.end);
  await a.read(1 << 20, 50); // handed out, never committed (the process died before the ack)
  await a.close();
  const b = new Spool(dir, { segmentBytes: 2048 });
  assert.equal(b.empty, false);
  assert.deepEqual(
    await drain(b),
    Array.from({ length: 180 }, (_, i) => 120 + i),
  );
});

test('a torn frame at the end (crash mid-write) is cut off on open, the rest is replayed', async () => {
  const dir = tempDir();
  const a = new Spool(dir, { segmentBytes: 1 << 20 });
  for (let i = 0; i < 50; i++) a.append(encodeFrame(record(i)));
  await a.close();
  const segment = join(dir, readdirSync(dir).find((f) => f.endsWith('.spool'))!);
  const size = statSync(segment).size;
  appendFileSync(segment, encodeFrame(record(50)).subarray(0, 20)); // half a frame
  const messages: string[] = [];
  const b = new Spool(dir, { segmentBytes: 1 << 20, onCorrupt: (m) => messages.push(m) });
  assert.equal(statSync(segment).size, size, 'the torn tail is truncated');
  assert.match(messages[0]!, /cut 20 bytes/);
  assert.deepEqual(
    await drain(b),
    Array.from({ length: 50 }, (_, i) => i),
  );
  // Appends after recovery go after the valid data.
  b.append(encodeFrame(record(99)));
  await b.written();
  assert.deepEqual(await drain(b), [99]);
});

test('a corrupt checkpoint replays the whole spool rather than losing it', async () => {
  const dir = tempDir();
  const a = new Spool(dir, { segmentBytes: 1 << 20 });
  for (let i = 0; i < 10; i++) a.append(encodeFrame(record(i)));
  await a.close();
  writeFileSync(join(dir, 'checkpoint'), '{not json');
  const messages: string[] = [];
  const b = new Spool(dir, { segmentBytes: 1 << 20, onCorrupt: (m) => messages.push(m) });
  assert.match(messages[0]!, /unreadable checkpoint/);
  assert.deepEqual(
    await drain(b),
    Array.from({ length: 10 }, (_, i) => i),
  );
});

test('prepend puts older records before everything spooled and survives a reopen', async () => {
  const dir = tempDir();
  const a = new Spool(dir, { segmentBytes: 1 << 20 });
  for (let i = 10; i < 20; i++) a.append(encodeFrame(record(i)));
  await a.written();
  await a.prepend([0, 1, 2].map((i) => encodeFrame(record(i))));
  const part = await a.read(1 << 20, 2);
  a.commit(part.end); // 0 and 1 delivered
  await a.read(1 << 20, 5); // handed out, not delivered
  await a.prepend([3, 4].map((i) => encodeFrame(record(i)))); // shutdown: still older
  await a.close();
  const b = new Spool(dir, { segmentBytes: 1 << 20 });
  assert.deepEqual(await drain(b), [3, 4, 2, ...Array.from({ length: 10 }, (_, i) => 10 + i)]);
  assert.equal(b.empty, true);
});
