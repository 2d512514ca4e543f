/**
 * The proxy as a command: `samsa proxy --bootstrap-server` against a broker, and embedded in
 * `samsa start` (on a free port when the broker's port is 0, as here; `--no-proxy` turns it off).
 * Each process is stopped with SIGTERM and must exit 0.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startBroker } from '../../src/testing/index.ts';
import { track } from '../helpers/children.ts';
import { http } from './helpers.ts';

const BIN = join(import.meta.dirname, '../../bin/samsa.js');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function spawnUntil(
  args: string[],
  pattern: RegExp,
): Promise<{ child: ChildProcess; match: RegExpMatchArray; out: () => string }> {
  const child = track(spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = out.match(pattern);
      if (m) resolve({ child, match: m, out: () => out });
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => reject(new Error(`exited early (${code}): ${out}`)));
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('samsa proxy and samsa start', () => {
  it('samsa proxy --bootstrap-server serves the API until SIGTERM', async () => {
    const broker = await startBroker();
    try {
      const { child, match } = await spawnUntil(
        ['proxy', '--bootstrap-server', broker.bootstrap, '--port', '0'],
        /Samsa proxy listening on (http:\/\/\S+)/,
      );
      const clusters = await http(match[1]!, 'GET', '/v3/clusters');
      assert.equal(clusters.status, 200);
      assert.equal((clusters.json as { kind: string }).kind, 'KafkaClusterList');
      assert.equal(await stop(child), 0);
    } finally {
      await broker.stop();
    }
  });

  it('samsa start runs the proxy beside the broker, on --proxy-port, and not with --no-proxy', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'samsa-proxy-start-'));
    dirs.push(dataDir);
    const base = [
      'start',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      '--no-registry',
      '--no-connect',
      '--no-console',
    ];
    const { child, match } = await spawnUntil(
      base,
      /HTTP proxy \(Confluent REST Proxy API\) on (http:\/\/\S+)/,
    );
    assert.doesNotMatch(match[1]!, /:8082$/, 'a test broker on port 0 gets a proxy on a free port');
    const topics = await http(match[1]!, 'GET', '/topics');
    assert.deepEqual([topics.status, topics.json], [200, []]);
    assert.equal(await stop(child), 0);

    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    const moved = await spawnUntil(
      [...base, '--proxy-port', String(port)],
      /HTTP proxy \(Confluent REST Proxy API\) on (http:\/\/\S+)/,
    );
    assert.equal(moved.match[1], `http://127.0.0.1:${port}`);
    assert.equal(await stop(moved.child), 0);
    const bad = spawn(process.execPath, [BIN, ...base, '--proxy-port', 'x'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    bad.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise((r) => bad.once('exit', r));
    assert.notEqual(code, 0);
    assert.match(err, /--proxy-port must be a port number/);

    const quiet = await spawnUntil([...base, '--no-proxy'], /Samsa listening on .*\n/);
    await new Promise((r) => setTimeout(r, 1000));
    assert.doesNotMatch(quiet.out(), /HTTP proxy/);
    assert.equal(await stop(quiet.child), 0);
  });
});
