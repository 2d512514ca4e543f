/**
 * One broker per data directory: while `samsa start` runs on a directory (kcat writing to it), a
 * second `samsa start` on the same --data-dir refuses to start, naming the directory and the
 * holder's pid, and the first broker keeps every record. The lock is the kernel's, so a broker
 * killed with kill -9 leaves nothing behind that stops the next one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DataDirLockedError } from '../../src/log/dir-lock.ts';
import { LogManager } from '../../src/log/log-manager.ts';
import { startBrokerProcess, startFailing } from '../helpers/broker-process.ts';
import { run } from '../helpers/run.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-lock-'));
  dirs.push(dir);
  return dir;
}

const lines = (n: number, tag: string): string =>
  `${Array.from({ length: n }, (_, i) => `${tag}-${i}`).join('\n')}\n`;

async function consumeAll(bootstrap: string, topic: string, count: number): Promise<string[]> {
  const res = await run('kcat', [
    '-b',
    bootstrap,
    '-C',
    '-t',
    topic,
    '-o',
    'beginning',
    '-e',
    '-c',
    String(count),
  ]);
  assert.equal(res.code, 0, res.stderr);
  return res.stdout.split('\n').filter(Boolean);
}

describe('data directory lock', () => {
  it('a second broker on the same --data-dir refuses to start, naming the directory and the holder', async () => {
    const dataDir = freshDir();
    const first = await startBrokerProcess(dataDir);
    try {
      const produced = await run('kcat', ['-b', first.bootstrap, '-P', '-t', 'locked'], {
        input: lines(500, 'first'),
      });
      assert.equal(produced.code, 0, produced.stderr);
      const second = await startFailing(dataDir);
      assert.equal(second.code, 1, second.output);
      assert.match(second.output, /samsa start: data directory .* is in use by another Samsa broker/);
      assert.ok(second.output.includes(dataDir), second.output);
      assert.ok(second.output.includes(`pid ${first.child.pid}`), second.output);
      // The first broker is untouched: it still takes writes and has every record once.
      const more = await run('kcat', ['-b', first.bootstrap, '-P', '-t', 'locked'], {
        input: lines(100, 'later'),
      });
      assert.equal(more.code, 0, more.stderr);
      const records = await consumeAll(first.bootstrap, 'locked', 600);
      assert.deepEqual(
        records,
        [...lines(500, 'first').split('\n'), ...lines(100, 'later').split('\n')].filter(Boolean),
      );
    } finally {
      assert.equal(await first.stop(), 0);
    }
  });

  it('a broker killed with kill -9 leaves no lock behind', async () => {
    const dataDir = freshDir();
    const first = await startBrokerProcess(dataDir);
    const produced = await run('kcat', ['-b', first.bootstrap, '-P', '-t', 'crashed'], {
      input: lines(50, 'r'),
    });
    assert.equal(produced.code, 0, produced.stderr);
    await first.kill();
    const second = await startBrokerProcess(dataDir);
    try {
      assert.equal((await consumeAll(second.bootstrap, 'crashed', 50)).length, 50);
    } finally {
      assert.equal(await second.stop(), 0);
    }
  });

  it('two LogManagers in one process cannot open the same directory', async () => {
    const dataDir = freshDir();
    const mgr = await LogManager.open(dataDir);
    await assert.rejects(LogManager.open(dataDir), (err: unknown) => {
      assert.ok(err instanceof DataDirLockedError);
      assert.equal(err.dir, dataDir);
      assert.match(err.holder ?? '', new RegExp(`^pid ${process.pid} on host `));
      return true;
    });
    await mgr.close();
    const again = await LogManager.open(dataDir);
    await again.close();
  });
});
