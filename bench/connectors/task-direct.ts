/**
 * The connectors' own cost, without broker or runtime: each sink task gets pre-built SinkRecords
 * (100-byte values) through `put` in batches of 5,000, as the runtime hands them over, and the
 * figure is records per second of wall time and per second of this process's CPU time (the latter
 * holds steady when other work shares the machine). HTTP posts to the endpoint process (batches of
 * 500, 8 in flight; also with 10% of requests failing into a retry topic, whose writes go to a
 * no-op TaskKafka here); Redis writes to a redis-server process; the archive writes Parquet files.
 * Run alone: `node bench/connectors/task-direct.ts`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { SinkRecord, SinkTask, SinkTaskContext } from '../../src/connect/api/index.ts';
import { ArchiveSinkTask } from '../../src/connectors/archive/index.ts';
import { HttpSinkTask } from '../../src/connectors/http-sink/index.ts';
import { RedisSinkTask } from '../../src/connectors/redis-sink/index.ts';
import { freePort, sleep, waitForPort } from '../lib/net.ts';
import { installCleanupHandlers, spawnTracked, stopAll, stopPid, trackDir } from '../lib/procs.ts';
import { type BenchResult, unavailable } from '../lib/result.ts';

type Emit = (r: BenchResult) => void;

function records(count: number, topic: string): SinkRecord[] {
  const out: SinkRecord[] = [];
  const base = Date.now();
  for (let i = 0; i < count; i++) {
    const value = `{"id":${i},"pad":"${'x'.repeat(80)}"}`;
    const key = `k${i}`;
    out.push({
      topic,
      kafkaPartition: i % 4,
      keySchema: null,
      key,
      valueSchema: null,
      value,
      timestamp: base,
      headers: [],
      kafkaOffset: BigInt(Math.floor(i / 4)),
      timestampType: 'CreateTime',
      originalTopic: topic,
      originalKafkaPartition: i % 4,
      originalKafkaOffset: BigInt(Math.floor(i / 4)),
      raw: { key: Buffer.from(key), value: Buffer.from(value), headers: [], timestamp: base },
    });
  }
  return out;
}

function context(): SinkTaskContext {
  return {
    connectorName: 'bench',
    taskId: 0,
    logger: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    assignment: () => [],
    offset() {},
    timeout() {},
    pause() {},
    resume() {},
    requestCommit() {},
    errantRecordReporter: null,
    kafka: { send: async () => {}, ensureTopic: async () => {} },
  };
}

async function timed(
  task: SinkTask,
  input: SinkRecord[],
  done: () => boolean,
): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < input.length; i += 5000) await task.put(input.slice(i, i + 5000));
  while (!done()) await sleep(1);
  const wall = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  return { wall, cpu: (used.user + used.system) / 1e6 };
}

function row(
  client: string,
  workload: string,
  n: number,
  t: { wall: number; cpu: number },
  note: string,
): BenchResult {
  return {
    ...unavailable(
      'Samsa connector (task only)',
      client,
      workload,
      `${n} records; ${Math.round(n / t.cpu)} records per CPU-second of the task's process; ${note}`,
    ),
    records_per_s: Math.round(n / t.wall),
  };
}

async function http(n: number, emit: Emit): Promise<void> {
  for (const failRate of [0, 0.1]) {
    const child = spawnTracked('http endpoint', process.execPath, [
      fileURLToPath(new URL('./endpoint-process.ts', import.meta.url)),
      String(failRate),
    ]);
    const port = await new Promise<number>((resolve) => {
      child.stdout!.on('data', (c: Buffer) => {
        const m = /port (\d+)/.exec(c.toString());
        if (m) resolve(Number(m[1]));
      });
    });
    const task = new HttpSinkTask();
    await task.start(
      {
        topics: 'bench',
        'http.api.url': `http://127.0.0.1:${port}/bulk`,
        'batch.max.size': '500',
        'batch.separator': '\n',
        'batch.linger.ms': '5',
        'max.in.flight.requests': '8',
        ...(failRate > 0 ? { 'max.retries': '0', 'retry.topics': '1s' } : {}),
      },
      context(),
    );
    const input = records(n, 'bench');
    const t = await timed(task, input, () => task.stats.delivered + task.stats.toRetryTopics >= n);
    emit(
      row(
        'HTTP sink',
        failRate === 0
          ? 'HTTP bulk, 500/batch, 8 in flight'
          : 'HTTP bulk, 10% of requests fail into a retry topic',
        n,
        t,
        failRate === 0
          ? 'endpoint in its own process'
          : `${task.stats.toRetryTopics} records handed to the retry topic (writes to Kafka not included)`,
      ),
    );
    await task.stop();
    await stopPid(child.pid!);
  }
}

async function redis(n: number, emit: Emit): Promise<void> {
  if (spawnSync('/usr/bin/redis-server', ['--version']).status !== 0) return;
  const port = await freePort();
  const dir = trackDir(mkdtempSync(join(tmpdir(), 'bench-redis-')));
  const server = spawnTracked('redis-server', '/usr/bin/redis-server', [
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
  const task = new RedisSinkTask();
  await task.start({ 'redis.uri': `redis://127.0.0.1:${port}`, 'redis.type': 'STRING' }, context());
  const t = await timed(task, records(n, 'bench'), () => true);
  emit(
    row(
      'Redis sink',
      'Redis STRING keys (pipelined)',
      n,
      t,
      'distinct keys, redis-server in its own process',
    ),
  );
  await task.stop();
  await stopPid(server.pid!);
}

async function archive(n: number, emit: Emit): Promise<void> {
  const path = trackDir(mkdtempSync(join(tmpdir(), 'bench-archive-')));
  const task = new ArchiveSinkTask();
  await task.start(
    { 'archive.path': path, 'format.class': 'parquet', 'flush.size': String(n / 4 / 4) },
    context(),
  );
  await task.open?.([0, 1, 2, 3].map((partition) => ({ topic: 'bench', partition })));
  const t = await timed(task, records(n, 'bench'), () => task.stats.records >= n);
  emit(
    row(
      'archive sink',
      'archive to Parquet, 100 B records',
      n,
      t,
      `${task.stats.files} files written, fsynced and renamed`,
    ),
  );
  await task.stop();
}

export async function taskDirectRows(quick: boolean, emit: Emit): Promise<void> {
  const n = quick ? 100_000 : 500_000;
  await http(n, emit);
  await redis(n, emit);
  await archive(n * 2, emit);
}

if (import.meta.main) {
  installCleanupHandlers();
  try {
    await taskDirectRows(process.argv.includes('--quick'), (r) =>
      process.stderr.write(`${r.client} | ${r.workload}: ${r.records_per_s} rec/s (${r.note})\n`),
    );
  } finally {
    await stopAll();
  }
}
