/**
 * The worker as users start it: `samsa start` runs an embedded worker beside its broker (REST on
 * SAMSA_CONNECT_PORT, a free port here instead of 8083) that serves the API and stops with the
 * broker on SIGTERM; `samsa connect --standalone FILE` creates the connector in FILE and keeps its
 * offsets in --offsets-file, running (re-executed in place) with a 4 MB young generation.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { allRunning, connectClient, topicValues } from '../helpers/connect.ts';

const BIN = join(import.meta.dirname, '../../bin/samsa.js');
const dir = mkdtempSync(join(tmpdir(), 'samsa-connect-proc-'));
const children: ChildProcess[] = [];
let broker: TestBroker | null = null;

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await broker?.stop();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${out}`)), 60_000);
    const onData = (c: Buffer): void => {
      out += c.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve({ child, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited early (${code}): ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

test('samsa start serves the Connect REST API and stops it on SIGTERM', async () => {
  const port = await freePort();
  const { child } = await run(
    ['start', '--port', '0', '--data-dir', join(dir, 'data'), '--log-level', 'info'],
    { SAMSA_CONNECT_PORT: String(port) },
    new RegExp(`Connect REST API on http://127.0.0.1:${port}`),
  );
  const api = connectClient({ restUrl: `http://127.0.0.1:${port}` });
  const plugins = await api.call<{ class: string }[]>('GET', '/connector-plugins');
  assert.ok(plugins.body.some((p) => p.class === 'org.apache.kafka.connect.file.FileStreamSourceConnector'));
  assert.deepEqual((await api.call('GET', '/connectors')).body, []);
  child.kill('SIGTERM');
  assert.equal(await exited(child), 0);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/`));
});

test('samsa connect --standalone creates the connectors in its files and keeps offsets in a file', async () => {
  broker = await startBroker();
  const input = join(dir, 'standalone-in.txt');
  const offsets = join(dir, 'standalone.offsets');
  writeFileSync(input, 'alpha\nbeta\n');
  const connectorFile = join(dir, 'source.properties');
  writeFileSync(
    connectorFile,
    [
      'name=file-source',
      'connector.class=FileStreamSource',
      `file=${input}`,
      'topic=standalone-lines',
      'value.converter=org.apache.kafka.connect.storage.StringConverter',
    ].join('\n'),
  );
  const workerFile = join(dir, 'worker.properties');
  writeFileSync(workerFile, `bootstrap.servers=${broker.bootstrap}\noffset.flush.interval.ms=200\n`);
  const restPort = await freePort();
  const { child } = await run(
    [
      'connect',
      '--standalone',
      '--config',
      workerFile,
      '--offsets-file',
      offsets,
      '--rest-port',
      String(restPort),
      connectorFile,
    ],
    { SAMSA_CONNECT_LOG_LEVEL: 'error' },
    /listening on http/,
  );
  const api = connectClient({ restUrl: `http://127.0.0.1:${restPort}` });
  await api.waitForStatus('file-source', allRunning());
  const deadline = Date.now() + 20_000;
  let values: string[] = [];
  while (Date.now() < deadline && values.length < 2) {
    values = await topicValues(broker.bootstrap, 'standalone-lines');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(values, ['alpha', 'beta']);
  // The worker re-executed itself in place with a 16 MB young generation (bin/samsa.js).
  const args = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
  assert.ok(args.includes('--max-semi-space-size=16'), args.join(' '));
  if (Number(process.versions.v8.split('.')[0]) >= 13)
    assert.ok(args.includes('--external-memory-accounted-in-global-limit'), args.join(' '));
  assert.equal(args.filter((a) => a === 'connect').length, 1, 'arguments passed through once');
  // ... with gc() exposed, for the one memory-reducing GC after start.
  assert.ok(args.includes('--expose-gc'), args.join(' '));
  // ... and glibc malloc settings that keep freed large Buffers' pages (bin/samsa.js).
  const environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
  assert.ok(environ.includes(`MALLOC_TRIM_THRESHOLD_=${64 * 1024 * 1024}`), environ.join(' '));
  assert.ok(environ.includes('MALLOC_ARENA_MAX=1'), environ.join(' '));
  child.kill('SIGTERM');
  assert.equal(await exited(child), 0);
  assert.ok(existsSync(offsets));
  assert.deepEqual(JSON.parse(readFileSync(offsets, 'utf8')).offsets, [
    ['file-source', { filename: input }, { position: 11 }],
  ]);
});

test('an idle samsa connect loads no connector, registry converter or HTTP client code', async () => {
  broker ??= await startBroker();
  const record = join(dir, 'idle-modules.txt');
  writeFileSync(record, '');
  const restPort = await freePort();
  const { child } = await run(
    [
      'connect',
      '--bootstrap-server',
      broker.bootstrap,
      '--rest-port',
      String(restPort),
      '--group-id',
      'idle',
    ],
    { SAMSA_CONNECT_LOG_LEVEL: 'error', SAMSA_RECORD_MODULES: record },
    /listening on http/,
    ['--import', join(import.meta.dirname, '../helpers/module-recorder.ts')],
  );
  // One memory-reducing GC a second after start returns the startup's garbage to the OS: the
  // worker's anonymous memory (the V8 heap, malloc) falls by several MB while it idles.
  const rssAnonKb = () =>
    Number(/RssAnon:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
  const atStart = rssAnonKb();
  let lowest = atStart;
  for (const deadline = Date.now() + 8000; Date.now() < deadline && atStart - lowest < 4096; )
    await new Promise((r) => setTimeout(r, 100)).then(() => (lowest = Math.min(lowest, rssAnonKb())));
  assert.ok(atStart - lowest >= 4096, `RssAnon ${atStart} kB at start, lowest ${lowest} kB after`);
  const api = connectClient({ restUrl: `http://127.0.0.1:${restPort}` });
  // The plugin list answers from the lazy plugins' info.
  const plugins = await api.call<{ class: string }[]>('GET', '/connector-plugins');
  assert.ok(plugins.body.some((p) => p.class === 'samsa.connect.postgres.PostgresCdcSourceConnector'));
  const loaded = readFileSync(record, 'utf8').split('\n');
  const heavy = loaded.filter((url) =>
    /\/node_modules\/(pg|ioredis|undici|hyparquet|hyparquet-writer|protobufjs|@opentelemetry\/api|@fastify\/ajv-compiler|@fastify\/fast-json-stringify-compiler)\/|\/connectors\/[a-z-]+\/(index|connector|task|sink-task|source|reader)\.|\/converters\/(avro|protobuf|json-schema)-converter\.|\/cli\/commands\/index\./.test(
      url,
    ),
  );
  assert.deepEqual(heavy, [], 'loaded by an idle worker');
  assert.ok(
    loaded.some((url) => url.includes('/connectors/postgres-cdc/config.')),
    'the recorder saw the worker',
  );
  // Validating a config loads the plugin on demand.
  const validated = await api.call<{ name: string; error_count: number }>(
    'PUT',
    '/connector-plugins/HttpSinkConnector/config/validate',
    { 'connector.class': 'HttpSinkConnector', topics: 't', 'http.api.url': 'http://127.0.0.1:1/x' },
  );
  assert.equal(validated.body.name, 'samsa.connect.http.HttpSinkConnector');
  assert.ok(readFileSync(record, 'utf8').includes('/connectors/http-sink/task.'));
  child.kill('SIGTERM');
  assert.equal(await exited(child), 0);
});
