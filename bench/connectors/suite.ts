/**
 * Connector benchmarks (group `connectors` of `npm run bench`; also `node bench/connectors/suite.ts
 * [--quick]`): the HTTP bulk sink into a local endpoint (batches of 500, 8 requests in flight),
 * the same with 10% of requests failing through a retry topic, the Redis sink (STRING keys), the
 * archive sink to Parquet (100-byte records), the Parquet encoder alone, and replay of that archive
 * by `samsa archive:replay` and by the archive source connector. Broker and endpoint/Redis run as
 * child processes; the Connect worker runs in this process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeParquet } from '../../src/connectors/archive/parquet-format.ts';
import { freePort, sleep, waitForPort } from '../lib/net.ts';
import { parseOptions } from '../lib/options.ts';
import { installCleanupHandlers, spawnTracked, stopAll, stopPid, trackDir } from '../lib/procs.ts';
import { type BenchResult, unavailable } from '../lib/result.ts';
import { createConnector, deleteConnector, endOffsets, fill, startEnv, timeSink } from './common.ts';
import { taskDirectRows } from './task-direct.ts';

type Emit = (r: BenchResult) => void;
const SYSTEM = 'Samsa Connect';
const BIN = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));
const STRING = 'org.apache.kafka.connect.storage.StringConverter';
const BYTES = 'org.apache.kafka.connect.converters.ByteArrayConverter';

function row(client: string, workload: string, recordsPerSecond: number | null, note: string): BenchResult {
  return { ...unavailable(SYSTEM, client, workload, note), records_per_s: recordsPerSecond };
}

async function startEndpoint(failRate: number) {
  const child = spawnTracked('http endpoint', process.execPath, [
    fileURLToPath(new URL('./endpoint-process.ts', import.meta.url)),
    String(failRate),
  ]);
  let delivered = 0;
  let buffer = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      buffer += c.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('port ')) resolve(Number(line.slice(5)));
        else if (line.startsWith('delivered ')) delivered = Number(line.slice(10));
      }
    });
    child.once('exit', (code) => reject(new Error(`endpoint exited ${code}`)));
  });
  return { port, delivered: () => delivered, stop: () => stopPid(child.pid!) };
}

async function httpRows(records: number, emit: Emit): Promise<void> {
  const env = await startEnv();
  try {
    for (const failRate of [0, 0.1]) {
      const topic = `http-bench-${failRate * 100}`;
      await fill(env.bootstrap, topic, 4, records);
      const endpoint = await startEndpoint(failRate);
      const started = performance.now();
      await createConnector(env, topic, {
        'connector.class': 'samsa.connect.http.HttpSinkConnector',
        topics: topic,
        'tasks.max': '1',
        'http.api.url': `http://127.0.0.1:${endpoint.port}/bulk`,
        'batch.max.size': '500',
        'batch.separator': '\n',
        'batch.linger.ms': '5',
        'max.in.flight.requests': '8',
        'key.converter': STRING,
        'value.converter': STRING,
        ...(failRate > 0
          ? { 'max.retries': '0', 'retry.topics': '1s', 'dead.letter.topic': `${topic}-dlt` }
          : {}),
      });
      const t = await timeSink(env, topic, topic, records);
      // Everything is delivered once the endpoint got every record but the dead-lettered ones.
      while (performance.now() - started < 120_000) {
        const dead = failRate > 0 ? await endOffsets(env.bootstrap, `${topic}-dlt`) : 0;
        if (endpoint.delivered() + dead >= records) break;
        await sleep(50);
      }
      const allSeconds = (performance.now() - started) / 1000;
      emit(
        row(
          'HTTP sink',
          failRate === 0
            ? 'HTTP bulk, 500/batch, 8 in flight'
            : 'HTTP bulk, 10% of requests fail (retry topic 1s)',
          t.recordsPerSecond,
          failRate === 0
            ? `${t.records} records of 100 B committed in ${t.seconds.toFixed(2)} s (1 task, StringConverter, endpoint in its own process)`
            : `main flow: ${t.records} records delivered or handed to ${topic}-retry-1s in ${t.seconds.toFixed(2)} s; every record delivered ${allSeconds.toFixed(2)} s after creation (the retried ones wait their 1 s)`,
        ),
      );
      await deleteConnector(env, topic);
      await endpoint.stop();
    }
  } finally {
    await env.stop();
  }
}

async function redisRows(records: number, emit: Emit): Promise<void> {
  if (spawnSync('/usr/bin/redis-server', ['--version']).status !== 0) {
    emit(unavailable(SYSTEM, 'Redis sink', 'Redis STRING keys', 'redis-server is not installed'));
    return;
  }
  const port = await freePort();
  const dir = trackDir(mkdtempSync(join(tmpdir(), 'bench-redis-')));
  const redis = spawnTracked('redis-server', '/usr/bin/redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ]);
  await waitForPort(port, 10_000, 1);
  const env = await startEnv();
  try {
    const topic = 'redis-bench';
    await fill(env.bootstrap, topic, 4, records);
    await createConnector(env, topic, {
      'connector.class': 'samsa.connect.redis.RedisSinkConnector',
      topics: topic,
      'tasks.max': '1',
      'redis.uri': `redis://127.0.0.1:${port}`,
      'redis.type': 'STRING',
      'key.converter': STRING,
      'value.converter': STRING,
    });
    const t = await timeSink(env, topic, topic, records);
    emit(
      row(
        'Redis sink',
        'Redis STRING keys (pipelined)',
        t.recordsPerSecond,
        `${t.records} distinct keys, 100 B values, committed in ${t.seconds.toFixed(2)} s (1 task; redis-server in its own process)`,
      ),
    );
  } finally {
    await env.stop();
    await stopPid(redis.pid!);
  }
}

async function archiveRows(records: number, emit: Emit): Promise<void> {
  // The encoder alone, no broker, no I/O.
  const sample = Array.from({ length: 50_000 }, (_, i) => ({
    topic: 't',
    partition: 0,
    offset: BigInt(i),
    timestamp: 1_700_000_000_000 + i,
    key: Buffer.from(`k${i}`),
    value: Buffer.alloc(100, 120),
    headers: [] as [string, Buffer][],
  }));
  encodeParquet(sample);
  const e0 = performance.now();
  for (let i = 0; i < 4; i++) encodeParquet(sample);
  const encodeRate = Math.round((4 * sample.length) / ((performance.now() - e0) / 1000));
  emit(
    row(
      'hyparquet-writer',
      'Parquet encoding alone, 100 B records',
      encodeRate,
      '4 x 50,000 rows in this process, Snappy, no statistics',
    ),
  );

  const env = await startEnv();
  const path = trackDir(mkdtempSync(join(tmpdir(), 'bench-archive-')));
  const partitions = 4;
  try {
    const topic = 'archive-bench';
    await fill(env.bootstrap, topic, partitions, records);
    await createConnector(env, topic, {
      'connector.class': 'samsa.connect.archive.ArchiveSinkConnector',
      topics: topic,
      'tasks.max': '1',
      'archive.path': path,
      'format.class': 'parquet',
      'flush.size': String(records / partitions / 4),
      'key.converter': BYTES,
      'value.converter': BYTES,
    });
    const t = await timeSink(env, topic, topic, records);
    emit(
      row(
        'archive sink',
        'archive to Parquet, 100 B records',
        t.recordsPerSecond,
        `${t.records} records committed (files fsynced and renamed) in ${t.seconds.toFixed(2)} s; 1 task, flush.size ${records / partitions / 4}`,
      ),
    );
    await deleteConnector(env, topic);

    const r0 = performance.now();
    const cli = spawnSync(
      process.execPath,
      [BIN, 'archive:replay', '--path', path, '--topic', topic, '--to', 'replayed-cli', '-b', env.bootstrap],
      { encoding: 'utf8' },
    );
    const cliSeconds = (performance.now() - r0) / 1000;
    if (cli.status !== 0)
      emit(unavailable(SYSTEM, 'samsa archive:replay', 'replay from Parquet', cli.stderr.slice(-300)));
    else
      emit(
        row(
          'samsa archive:replay',
          'replay from Parquet',
          Math.round(records / cliSeconds),
          `${records} records in ${cliSeconds.toFixed(2)} s wall time, process start included`,
        ),
      );

    const s0 = performance.now();
    await createConnector(env, 'restore', {
      'connector.class': 'samsa.connect.archive.ArchiveSourceConnector',
      'tasks.max': '1',
      'archive.path': path,
      'archive.topic': topic,
      topic: 'replayed-connector',
      // The target needs the archive's partitions (a record for a missing one fails the task).
      'topic.creation.default.partitions': String(partitions),
      'key.converter': BYTES,
      'value.converter': BYTES,
    });
    // Timed from the POST: at quick-mode volumes the task can write every record before the first
    // poll of the end offsets, so "first record to last" measured nothing (it printed 0.00 s).
    for (;;) {
      const n = await endOffsets(env.bootstrap, 'replayed-connector');
      if (n >= records) break;
      if (performance.now() - s0 > 300_000) throw new Error(`source connector wrote ${n} of ${records}`);
      await sleep(20);
    }
    const seconds = (performance.now() - s0) / 1000;
    emit(
      row(
        'archive source connector',
        'replay from Parquet',
        Math.round(records / seconds),
        `${records} records from POST /connectors to the last in the target topic, ${seconds.toFixed(2)} s (1 task, task start included)`,
      ),
    );
  } finally {
    await env.stop();
  }
}

export async function connectorsSuite(o: { quick: boolean }, emit: Emit): Promise<void> {
  const scale = o.quick ? 1 : 5;
  for (const [name, run] of [
    ['tasks', () => taskDirectRows(o.quick, emit)],
    ['http', () => httpRows(100_000 * scale, emit)],
    ['redis', () => redisRows(100_000 * scale, emit)],
    ['archive', () => archiveRows(200_000 * scale, emit)],
  ] as const) {
    try {
      await run();
    } catch (err) {
      emit(unavailable(SYSTEM, name, 'all', (err as Error).stack ?? String(err)));
    }
    await stopAll();
  }
}

if (import.meta.main) {
  installCleanupHandlers();
  const o = parseOptions(process.argv.slice(2));
  const only = process.env.BENCH_CONNECTORS;
  const results: BenchResult[] = [];
  const emit: Emit = (r) => {
    results.push(r);
    process.stderr.write(`${r.client} | ${r.workload}: ${r.records_per_s ?? '-'} rec/s (${r.note})\n`);
  };
  const scale = o.quick ? 1 : 5;
  try {
    if (!only || only.includes('tasks')) await taskDirectRows(o.quick, emit);
    if (!only || only.includes('http')) await httpRows(100_000 * scale, emit);
    if (!only || only.includes('redis')) await redisRows(100_000 * scale, emit);
    if (!only || only.includes('archive')) await archiveRows(200_000 * scale, emit);
  } finally {
    await stopAll();
  }
  if (o.json) console.log(JSON.stringify(results, null, 2));
}
