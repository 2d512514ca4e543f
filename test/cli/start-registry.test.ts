/**
 * The registry as users run it: embedded in `samsa start` (on --registry-port, off with
 * --no-registry, wired to the broker's schema validation) and on its own as `samsa registry
 * --bootstrap-server` against a running broker. Real processes, real HTTP, stopped by SIGTERM.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { serializer } from '../../src/registry/index.ts';
import { startBroker } from '../../src/testing/index.ts';

const BIN = join(import.meta.dirname, '../../bin/samsa.js');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Spawns samsa and resolves with the child and its output once `pattern` shows up. */
function run(args: string[], pattern: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onData = (c: Buffer) => {
    out += c.toString();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}: ${out}`)), 30_000);
    child.stdout!.on('data', () => {
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve({ child, output: () => out });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`samsa exited early (${code}): ${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('samsa start with the schema registry', () => {
  it('serves the registry on --registry-port and validates topics that ask for it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'samsa-start-registry-'));
    dirs.push(dataDir);
    const [port, registryPort] = [await freePort(), await freePort()];
    const { child, output } = await run(
      [
        'start',
        '--no-proxy',
        '--no-console',
        '--port',
        String(port),
        '--registry-port',
        String(registryPort),
        '--metrics-port',
        '0',
        '--data-dir',
        dataDir,
        '--log-level',
        'warn',
      ],
      /Schema registry listening on http:\/\/127\.0\.0\.1:\d+/,
    );
    try {
      const url = `http://127.0.0.1:${registryPort}`;
      assert.match(output(), new RegExp(`Schema registry listening on ${url}`));
      const kafka = new Kafka({
        brokers: [`127.0.0.1:${port}`],
        clientId: 'start-registry',
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [
          {
            topic: 'payments',
            configEntries: [{ name: 'confluent.value.schema.validation', value: 'true' }],
          },
        ],
      });
      await admin.disconnect();
      const value = await serializer({ registry: url, format: 'jsonschema', schema: { type: 'object' } })(
        'payments',
        { amount: 5 },
      );
      const producer = kafka.producer({ retry: { retries: 0 } });
      await producer.connect();
      const [ok] = await producer.send({ topic: 'payments', messages: [{ value }] });
      assert.equal(ok!.errorCode, 0);
      await assert.rejects(
        producer.send({ topic: 'payments', messages: [{ value: '{"amount":5}' }] }),
        (err: Error & { type?: string }) => {
          assert.equal(err.type, 'INVALID_RECORD');
          return true;
        },
      );
      await producer.disconnect();
    } finally {
      assert.equal(await stop(child), 0);
    }
  });

  it('--no-registry runs the broker alone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'samsa-start-registry-'));
    dirs.push(dataDir);
    const { child, output } = await run(
      ['start', '--no-registry', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'],
      /Samsa listening on/,
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.doesNotMatch(output(), /Schema registry/);
    assert.equal(await stop(child), 0);
  });
});

describe('samsa registry', () => {
  it('runs against a broker given by --bootstrap-server and stops on SIGTERM', async () => {
    const broker = await startBroker();
    try {
      const { child, output } = await run(
        ['registry', '--bootstrap-server', broker.bootstrap, '--port', '0', '--compatibility', 'full'],
        /Schema registry listening on (http:\/\/127\.0\.0\.1:\d+)/,
      );
      const url = /Schema registry listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output())![1]!;
      try {
        const config = await fetch(`${url}/config`).then((r) => r.json());
        assert.deepEqual(config, { compatibilityLevel: 'FULL' });
        const res = await fetch(`${url}/subjects/cli-value/versions`, {
          method: 'POST',
          headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
          body: JSON.stringify({ schema: '"string"' }),
        });
        assert.deepEqual(await res.json(), { id: 1 });
      } finally {
        assert.equal(await stop(child), 0);
      }
    } finally {
      await broker.stop();
    }
  });

  it('refuses an unknown compatibility level as a usage error', async () => {
    const child = spawn(process.execPath, [BIN, 'registry', '--compatibility', 'sideways'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /--compatibility must be one of NONE, BACKWARD/);
  });
});
