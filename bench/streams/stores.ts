/**
 * `node bench/streams/stores.ts [--entries N]`: the embedded stores a Samsa Streams state store could
 * sit on, measured for what a stream task does with them: bulk load of a changelog (restore),
 * point reads and updates of 10,000 hot keys (an aggregation), and a range scan. Candidates: lmdb
 * (memory-mapped B+tree, synchronous reads), classic-level (LevelDB, asynchronous API) and a plain
 * in-memory Map that a changelog would rebuild at every start. Prints one line per figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';

const args = process.argv.slice(2);
const entriesArg = args.indexOf('--entries');
const ENTRIES = entriesArg >= 0 ? Number(args[entriesArg + 1]) : 1_000_000;
const HOT_KEYS = 10_000;
const UPDATES = 1_000_000;

function key(i: number): Buffer {
  const b = Buffer.alloc(12);
  b.write('key-', 0);
  b.writeUInt32BE(i, 4);
  b.writeUInt32BE(i * 7, 8);
  return b;
}
const value = Buffer.alloc(16, 1);
const KEYS = Array.from({ length: ENTRIES }, (_, i) => key(i));
const STRING_KEYS = KEYS.map((k) => k.toString('latin1'));

function report(store: string, what: string, n: number, ms: number): void {
  console.log(
    `${store.padEnd(13)} ${what.padEnd(34)} ${Math.round((n / ms) * 1000).toLocaleString('en-US')} ops/s`,
  );
}

async function lmdbBench(dir: string): Promise<void> {
  const db = open({ path: join(dir, 'lmdb'), keyEncoding: 'binary', encoding: 'binary', noSync: true });
  let t = performance.now();
  const batch = 10_000;
  for (let i = 0; i < ENTRIES; i += batch) {
    db.transactionSync(() => {
      for (let j = i; j < Math.min(ENTRIES, i + batch); j++) db.putSync(KEYS[j]!, value);
    });
  }
  report('lmdb', `bulk load ${ENTRIES} (sync txns)`, ENTRIES, performance.now() - t);
  t = performance.now();
  for (let i = 0; i < UPDATES; i++) {
    const k = KEYS[i % HOT_KEYS]!;
    const old = db.get(k) as Buffer | undefined;
    db.put(k, old ?? value);
  }
  await db.flushed;
  report('lmdb', 'get+put 10k hot keys (async put)', UPDATES, performance.now() - t);
  t = performance.now();
  let n = 0;
  for (const _ of db.getRange({ start: key(0), end: key(ENTRIES) })) n++;
  report('lmdb', 'range scan', n, performance.now() - t);
  await db.close();
}

/** classic-level is not a dependency: `npm install --no-save classic-level` to include it. */
interface LevelDb {
  open(): Promise<void>;
  batch(ops: { type: 'put'; key: Buffer; value: Buffer }[]): Promise<void>;
  get(key: Buffer): Promise<Buffer | undefined>;
  put(key: Buffer, value: Buffer): Promise<void>;
  iterator(options: { gte: Buffer; lt: Buffer }): AsyncIterable<[Buffer, Buffer]>;
  close(): Promise<void>;
}

async function levelBench(dir: string): Promise<void> {
  const name = 'classic-level';
  let mod: { ClassicLevel: new (path: string, options: object) => LevelDb };
  try {
    mod = (await import(name)) as typeof mod;
  } catch {
    console.log('classic-level  not installed (npm install --no-save classic-level to compare)');
    return;
  }
  const db = new mod.ClassicLevel(join(dir, 'level'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  let t = performance.now();
  const batch = 10_000;
  for (let i = 0; i < ENTRIES; i += batch) {
    const ops = [];
    for (let j = i; j < Math.min(ENTRIES, i + batch); j++)
      ops.push({ type: 'put' as const, key: KEYS[j]!, value });
    await db.batch(ops);
  }
  report('classic-level', `bulk load ${ENTRIES} (batches)`, ENTRIES, performance.now() - t);
  t = performance.now();
  const updates = UPDATES / 10;
  for (let i = 0; i < updates; i++) {
    const k = KEYS[i % HOT_KEYS]!;
    const old = await db.get(k);
    await db.put(k, old ?? value);
  }
  report('classic-level', 'get+put 10k hot keys (awaited)', updates, performance.now() - t);
  t = performance.now();
  let n = 0;
  for await (const _ of db.iterator({ gte: key(0), lt: key(ENTRIES) })) n++;
  report('classic-level', 'range scan', n, performance.now() - t);
  await db.close();
}

function memoryBench(): void {
  const map = new Map<string, Buffer>();
  let t = performance.now();
  for (let i = 0; i < ENTRIES; i++) map.set(STRING_KEYS[i]!, value);
  report('memory Map', `bulk load ${ENTRIES}`, ENTRIES, performance.now() - t);
  t = performance.now();
  for (let i = 0; i < UPDATES; i++) {
    const k = STRING_KEYS[i % HOT_KEYS]!;
    map.set(k, map.get(k) ?? value);
  }
  report('memory Map', 'get+put 10k hot keys', UPDATES, performance.now() - t);
  t = performance.now();
  const sorted = [...map.keys()].sort();
  report('memory Map', 'range scan (sort keys)', sorted.length, performance.now() - t);
}

const dir = mkdtempSync(join(tmpdir(), 'samsa-store-bench-'));
try {
  await lmdbBench(dir);
  await levelBench(dir);
  memoryBench();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
