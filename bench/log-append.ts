/**
 * Micro-benchmark of the storage layer: PartitionLog appends of ~16 KiB batches of 100-byte records
 * (flush policy 'never', then 'always' with group commit), a sequential 1 MiB-fetch read-back, and a
 * tailing consumer reading each batch right after it was appended. The first line is the ceiling:
 * the same bytes written with bare pwrite calls (page-cache writes are what an append costs).
 *
 *   npx node bench/log-append.ts [--batches 20000] [--dir /path/on/the/disk/to/test]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PartitionLog } from '../src/log/partition-log.ts';
import { buildRecordBatch } from '../src/protocol/records/batch.ts';

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '20000' },
    dir: { type: 'string' },
  },
});
const BATCHES = Number(values.batches);
const BATCH_BYTES = 16 * 1024;
const VALUE_BYTES = 100;

/** The largest batch of 100-byte records that fits in 16 KiB. */
function template(): { buf: Buffer; records: number } {
  const make = (n: number): Buffer =>
    buildRecordBatch({
      records: Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.alloc(VALUE_BYTES, i) })),
    });
  let n = Math.floor(BATCH_BYTES / (VALUE_BYTES + 8));
  while (make(n + 1).length <= BATCH_BYTES) n++;
  while (make(n).length > BATCH_BYTES) n--;
  return { buf: make(n), records: n };
}

const root = fs.mkdtempSync(path.join(values.dir ?? os.tmpdir(), 'samsa-bench-'));
const { buf, records } = template();
/** A few distinct buffers, as a broker would get from distinct requests. */
const pool = Array.from({ length: 16 }, () => Buffer.from(buf));

function report(name: string, seconds: number, bytes: number, recordCount: number, extra = ''): void {
  const mbs = bytes / 1024 / 1024 / seconds;
  const rps = recordCount / seconds;
  console.log(
    `${name.padEnd(34)} ${mbs.toFixed(0).padStart(6)} MB/s ${(rps / 1e6).toFixed(2).padStart(6)} M records/s${extra}`,
  );
}

/** The ceiling: the same bytes with bare positional writes to one file. */
function rawWrites(): void {
  const file = path.join(root, 'raw.bin');
  const fd = fs.openSync(file, 'w+');
  const t0 = process.hrtime.bigint();
  let pos = 0;
  for (let i = 0; i < BATCHES; i++) {
    const b = pool[i % pool.length]!;
    fs.writeSync(fd, b, 0, b.length, pos);
    pos += b.length;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.closeSync(fd);
  fs.rmSync(file);
  report('ceiling: bare pwrite, same bytes', s, BATCHES * buf.length, BATCHES * records);
}

async function appendNever(): Promise<PartitionLog> {
  const log = PartitionLog.open(path.join(root, 'never-0'), { config: { flushPolicy: 'never' } });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < BATCHES; i++) log.append(pool[i % pool.length]!);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const perAppend = (cpu.user + cpu.system) / BATCHES;
  report(
    'append, flush never',
    s,
    BATCHES * buf.length,
    BATCHES * records,
    `  (${perAppend.toFixed(1)} us CPU/append)`,
  );
  return log;
}

async function appendAlways(): Promise<void> {
  const log = PartitionLog.open(path.join(root, 'always-0'), { config: { flushPolicy: 'always' } });
  const producers = 16;
  const perProducer = Math.max(1, Math.floor(BATCHES / 4 / producers));
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: producers }, async (_, p) => {
      for (let i = 0; i < perProducer; i++) {
        const { lastOffset } = log.append(Buffer.from(pool[(p + i) % pool.length]!));
        await log.whenDurable(lastOffset);
      }
    }),
  );
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const n = producers * perProducer;
  report(
    `append+fsync, always, ${producers} in flight`,
    s,
    n * buf.length,
    n * records,
    `  (${log.fsyncCount} fsyncs for ${n} appends)`,
  );
  await log.close();
}

function readBack(log: PartitionLog): void {
  const t0 = process.hrtime.bigint();
  let offset = 0;
  let bytes = 0;
  while (offset < log.logEndOffset) {
    const r = log.read(offset, 1024 * 1024);
    if ('error' in r || r.records === null) throw new Error(`read stalled at ${offset}`);
    bytes += r.records.length;
    let at = 0;
    let last = offset;
    while (at < r.records.length) {
      last = Number(r.records.readBigInt64BE(at)) + r.records.readInt32BE(at + 23);
      at += 12 + r.records.readInt32BE(at + 8);
    }
    offset = last + 1;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  report('sequential read, 1 MiB fetches', s, bytes, log.logEndOffset);
}

function tail(): void {
  const log = PartitionLog.open(path.join(root, 'tail-0'));
  const n = Math.min(BATCHES, 20_000);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const { baseOffset } = log.append(pool[i % pool.length]!);
    const r = log.read(baseOffset, 1024 * 1024);
    if ('error' in r || r.records === null) throw new Error('tail read missed');
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  report('append + tail read each batch', s, n * buf.length, n * records);
  log.delete();
}

try {
  console.log(
    `${BATCHES} batches of ${buf.length} bytes (${records} records of ${VALUE_BYTES} B) in ${root}`,
  );
  rawWrites();
  const log = await appendNever();
  readBack(log);
  await log.close();
  tail();
  await appendAlways();
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
