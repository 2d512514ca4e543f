/**
 * Crash safety of the cleaner's swap: a child process runs the cleaner over a prepared partition
 * and is SIGKILLed at each step of a segment swap (output written, manifest committed, indexes
 * renamed, log renamed, old segments removed) and at random moments. Reopening the partition must
 * finish or discard the interrupted swap and show every live key with its latest value, offsets
 * increasing, no leftover `.cleaned`/`.swap` files, and a cleaner that still works.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { cleanLog } from '../../src/log/cleaner.ts';
import type { LogConfig } from '../../src/log/config.ts';
import { PartitionLog } from '../../src/log/partition-log.ts';
import { kvBatch, latestState, readRecords } from './compaction-helpers.ts';
import { tempDir } from './helpers.ts';

const tmp = tempDir('samsa-compact-crash-');
after(tmp.cleanup);

const CONFIG: Partial<LogConfig> = {
  segmentBytes: 4096,
  indexIntervalBytes: 256,
  cleanupPolicy: { delete: false, compact: true },
  minCleanableDirtyRatio: 0,
  deleteRetentionMs: 0,
};

const src = (p: string): string => pathToFileURL(path.join(import.meta.dirname, '../../src/log', p)).href;

/** The child: opens the log, cleans it, dies by SIGKILL at the requested step (or is killed by the parent). */
const CHILD = `
import { PartitionLog } from '${src('partition-log.ts')}';
import { cleanLog } from '${src('cleaner.ts')}';
const [dir, step, nth, config] = process.argv.slice(2);
const log = PartitionLog.open(dir, { config: JSON.parse(config) });
let seen = 0;
process.stdout.write('ready\\n');
for (let pass = 0; pass < 50; pass++) {
  await cleanLog(log, {
    sliceMs: 0,
    now: () => Date.now() + pass * 10,
    onSwapStep: (s) => {
      if (s === step && ++seen === Number(nth)) process.kill(process.pid, 'SIGKILL');
    },
  });
}
process.stdout.write('finished\\n');
`;

function runChild(dir: string, step: string, nth: number, killAfterMs?: number): Promise<string> {
  const script = path.join(tmp.dir, 'cleaner-child.mjs');
  if (!fs.existsSync(script)) fs.writeFileSync(script, CHILD);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, dir, step, String(nth), JSON.stringify(CONFIG)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (killAfterMs !== undefined && out.includes('ready')) {
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        killAfterMs = undefined;
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve(signal ?? out.trim()));
  });
}

let n = 0;
/** A partition with 40 keys updated 60 times each (mixed codecs, some tombstones) over many segments. */
async function prepare(): Promise<{ dir: string; expected: Map<string, string> }> {
  const dir = path.join(tmp.dir, `p-${n++}`);
  const log = PartitionLog.open(dir, { config: CONFIG });
  const codecs = ['none', 'gzip', 'lz4', 'zstd', 'snappy'] as const;
  for (let round = 0; round < 60; round++) {
    const kvs = Array.from({ length: 40 }, (_, k) => ({
      key: `key-${k}`,
      value: round === 59 && k % 7 === 0 ? null : `v${round}-${k}-${'p'.repeat(k)}`,
    }));
    for (let i = 0; i < kvs.length; i += 8) {
      log.append(kvBatch(kvs.slice(i, i + 8), { compression: codecs[(round + i) % codecs.length] }));
    }
  }
  log.rollActiveSegment();
  log.append(kvBatch([{ key: 'active', value: 'tail' }]));
  const expected = latestState(readRecords(log));
  await log.close();
  return { dir, expected };
}

async function verify(dir: string, expected: Map<string, string>, label: string): Promise<void> {
  const log = PartitionLog.open(dir, { config: CONFIG });
  const leftovers = fs.readdirSync(dir).filter((f) => f.includes('.cleaned') || f.includes('.swap'));
  assert.deepEqual(leftovers, [], `${label}: leftovers`);
  const records = readRecords(log);
  for (let i = 1; i < records.length; i++) assert.ok(records[i]!.offset > records[i - 1]!.offset, label);
  assert.deepEqual(latestState(records), expected, `${label}: live keys after restart`);
  // The cleaner carries on from whatever state the crash left.
  await cleanLog(log, { sliceMs: 0, now: () => Date.now() + 1000 });
  const cleaned = readRecords(log);
  assert.deepEqual(latestState(cleaned), expected, `${label}: live keys after another pass`);
  // At most one record per key (tombstones wait for one more pass) plus the active segment.
  assert.ok(cleaned.length <= 40 + 1, `${label}: ${cleaned.length} records left`);
  await log.close();
}

describe('cleaner crash safety', () => {
  const steps = ['cleaned-written', 'manifest-written', 'indexes-renamed', 'log-renamed', 'olds-removed'];
  for (const step of steps) {
    it(`loses no live key when killed at ${step}`, async () => {
      for (const nth of [2]) {
        const { dir, expected } = await prepare();
        const how = await runChild(dir, step, nth);
        assert.equal(how, 'SIGKILL', `the child must die at ${step} #${nth}`);
        await verify(dir, expected, `${step} #${nth}`);
      }
    });
  }

  it('loses no live key when killed at random moments', async () => {
    for (let i = 0; i < 4; i++) {
      const { dir, expected } = await prepare();
      await runChild(dir, 'none', 0, 20 + Math.floor(Math.random() * 150));
      await verify(dir, expected, `random kill ${i}`);
    }
  });
});
