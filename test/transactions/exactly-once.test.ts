/**
 * Exactly-once consume-transform-produce (librdkafka send_offsets_to_transaction) over 100,000
 * records with the broker process killed (-9) mid-way and restarted on the same port and data dir:
 * every input ends up exactly once in the read_committed output.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { PYTHON, runPython } from '../helpers/run.ts';

const BIN = join(import.meta.dirname, '../../bin/samsa.js');
const script = (name: string) => readFileSync(join(import.meta.dirname, name), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'samsa-eos-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function startProcess(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'start',
        '--no-connect',
        '--no-console',
        '--no-registry',
        '--no-proxy',
        '--port',
        String(port),
        '--metrics-port',
        '0',
        '--data-dir',
        dir,
        '--log-level',
        'warn',
        '--num-partitions',
        '2',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SAMSA_TRANSACTION_ABORT_TIMED_OUT_INTERVAL_MS: '500' },
      },
    );
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (/listening on/.test(out)) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`broker exited early (${code}): ${out}`)));
  });
}

it('consume-transform-produce is exactly-once across a kill -9 of the broker', {
  timeout: 400_000,
}, async () => {
  const N = 100_000;
  const port = await freePort();
  const bootstrap = `127.0.0.1:${port}`;
  let broker = await startProcess(port);
  try {
    const produced = await runPython(script('idempotent-producer.py'), [bootstrap, 'eos-in', String(N)]);
    assert.equal(produced.code, 0, produced.stderr);

    const ctp = spawn(PYTHON, ['-c', script('ctp.py'), bootstrap, 'eos-in', 'eos-out', String(N)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    let killed = false;
    const finished = new Promise<number | null>((resolve) => ctp.on('exit', resolve));
    ctp.stderr.on('data', () => {});
    ctp.stdout.on('data', (c: Buffer) => {
      log += c.toString();
      const m = /committed (\d+)\n$/.exec(log);
      if (!killed && m && Number(m[1]) >= 30_000) {
        killed = true;
        broker.kill('SIGKILL');
        broker.once('exit', () => {
          setTimeout(() => {
            startProcess(port).then((b) => {
              broker = b;
            });
          }, 1000);
        });
      }
    });
    const code = await finished;
    assert.equal(code, 0, log.slice(-2000));
    assert.ok(killed, 'the broker was killed mid-stream');
    assert.match(log, new RegExp(`finished ${N}`));

    const r = await runPython(script('consume-all.py'), [bootstrap, 'eos-out', '2', 'read_committed']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, string[]>;
    for (const p of ['0', '1']) {
      const values = out[p]!;
      assert.equal(values.length, N / 2, `partition ${p} holds each input once`);
      for (const [i, v] of values.entries()) assert.equal(v, `out-${p}:${i}`);
    }
  } finally {
    broker.kill('SIGKILL');
  }
});
