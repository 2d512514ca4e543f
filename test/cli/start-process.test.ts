/**
 * `samsa start` as a process: it re-executes itself in place with a bounded young generation
 * (--max-semi-space-size=8, see bin/samsa.js) and glibc malloc settings, keeping its pid so
 * supervisors and `kill` still reach it, leaves a limit or malloc settings the user chose alone, and stops cleanly on SIGTERM — also when the
 * signal comes while its platform services are still starting.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { track } from '../helpers/children.ts';

const BIN = join(import.meta.dirname, '../../bin/samsa.js');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function start(
  nodeFlags: string[],
  startArgs: string[] = ['--port', '0'],
  services: string[] = ['--no-connect', '--no-console', '--no-registry', '--no-proxy'],
  env: Record<string, string> = {},
): Promise<ChildProcess & { out: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-start-'));
  dirs.push(dataDir);
  const child = track(
    spawn(
      process.execPath,
      [...nodeFlags, BIN, 'start', ...services, ...startArgs, '--data-dir', dataDir, '--log-level', 'warn'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
    ),
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (/listening on .*\n/.test(out)) resolve(Object.assign(child, { out }));
    });
    child.on('exit', (code) => reject(new Error(`broker exited early (${code}): ${out}`)));
  });
}

function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

function environment(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('samsa start process', () => {
  it('runs with an 8 MB semi-space under the pid it was started with', async () => {
    const child = await start([]);
    const args = commandLine(child.pid!);
    assert.ok(args.includes('--max-semi-space-size=8'), args.join(' '));
    // Short-lived Buffers freed by scavenges rather than full Mark-Compacts (bin/samsa.js).
    if (Number(process.versions.v8.split('.')[0]) >= 13)
      assert.ok(args.includes('--external-memory-accounted-in-global-limit'), args.join(' '));
    assert.equal(args.filter((a) => a === 'start').length, 1, 'arguments passed through once');
    // Large Buffers reuse free heap instead of fresh pages from the kernel (bin/samsa.js).
    const env = environment(child.pid!);
    assert.equal(env.MALLOC_MMAP_THRESHOLD_, String(4 * 1024 * 1024));
    assert.equal(env.MALLOC_TRIM_THRESHOLD_, String(64 * 1024 * 1024));
    // One malloc arena and gc() are for `samsa connect` only.
    assert.equal(env.MALLOC_ARENA_MAX, undefined);
    assert.ok(!args.includes('--expose-gc'), args.join(' '));
    assert.equal(await stop(child), 0);
  });

  it("leaves malloc settings of the user's alone", async () => {
    const child = await start([], undefined, undefined, { MALLOC_TRIM_THRESHOLD_: '1048576' });
    const env = environment(child.pid!);
    assert.equal(env.MALLOC_TRIM_THRESHOLD_, '1048576');
    assert.equal(env.MALLOC_MMAP_THRESHOLD_, undefined);
    assert.equal(await stop(child), 0);
  });

  it('names every listener in the listening line', async () => {
    const child = await start(
      [],
      ['--listeners', 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0', '--scram-user', 'a:b'],
    );
    assert.match(
      child.out,
      /^Samsa listening on 127\.0\.0\.1:\d+ \(PLAINTEXT\), 127\.0\.0\.1:\d+ \(SASL_PLAINTEXT\) \(data in /,
    );
    assert.equal(await stop(child), 0);
  });

  it('keeps a young-generation limit given by the user', async () => {
    const child = await start(['--max-semi-space-size=4']);
    const args = commandLine(child.pid!);
    assert.ok(args.includes('--max-semi-space-size=4'), args.join(' '));
    assert.ok(!args.includes('--max-semi-space-size=8'), args.join(' '));
    assert.equal(await stop(child), 0);
  });

  it('stops cleanly on a SIGTERM that arrives while the registry, proxy and Connect start', async () => {
    // The signal right after the listening line: the registry is still starting, the proxy and
    // Connect not yet begun. None may be left running (the process would never exit).
    const child = await start([], ['--port', '0'], []);
    assert.equal(await stop(child), 0, child.out);
  });
});
