/**
 * The Postgres connectors' workloads (`npm run bench -- --only postgres`, or alone with
 * `node bench/connect/postgres-suite.ts [--quick]`): a Samsa broker child, a `samsa connect` worker
 * child and an embedded PostgreSQL (fsync off), all on this machine.
 *
 * - CDC snapshot of a 10-column table: rows/s from `POST /connectors` until the topic holds every
 *   row (JsonConverter with schemas, Debezium's default JSON), and the task alone without Kafka.
 * - CDC streaming, pgbench-style: single-row UPDATEs of a 10,000-row table (`UPDATE lat SET v = v + 1
 *   WHERE id = $1`, ids in turn), each its own committed transaction, offered at a fixed rate
 *   (5,000/s; BENCH_PG_RATE) for 3 + 20 s: every ~1 ms the transactions due by then, as
 *   Bind/Execute/Sync of a prepared statement pipelined in one write on one of 4 connections in turn
 *   (pg-pipelined-updates.ts; BENCH_PG_LOAD=clients: 16 node-postgres clients, one statement at a
 *   time each, the earlier load: 47-78 µs of this process's CPU per change against 22-39);
 *   latency from the commit (the event's `source.ts_us`, PostgreSQL's commit timestamp) to the
 *   record in the topic (the broker's append time: the topic is created with LogAppendTime; the
 *   records are read back with kcat after the run), or with BENCH_PG_LATENCY=kcat to the record
 *   read live by kcat.
 * - Sink: the snapshot topic written into another database with insert.mode=upsert and
 *   batch.size=2000, first as new rows, then again as updates of existing rows; and the sink task
 *   alone (COPY + ON CONFLICT merge) without Kafka.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { SinkRecord } from '../../src/connect/api/index.ts';
import { postgresCdcSource } from '../../src/connectors/postgres-cdc/index.ts';
import { postgresSink } from '../../src/connectors/postgres-sink/index.ts';
import { SinkHarness, SourceHarness } from '../../test/connectors/harness.ts';
import { startPostgres, type TestPostgres } from '../../test/helpers/postgres.ts';
import { EndOffsetProbe } from '../kafka/probes.ts';
import { freePort, sleep } from '../lib/net.ts';
import type { BenchOptions } from '../lib/options.ts';
import { LatencySamples } from '../lib/percentiles.ts';
import { cpuSeconds, treeCpuSeconds } from '../lib/proc-stats.ts';
import { spawnTracked, stopPid } from '../lib/procs.ts';
import { type BenchResult, round, unavailable } from '../lib/result.ts';
import { type SamsaProcess, startSamsa } from '../samsa/broker-process.ts';
import { bench10SinkConfig } from './bench10-schema.ts';
import { PipelinedUpdates } from './pg-pipelined-updates.ts';

const SYSTEM = 'Samsa Connect';
const BIN = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));
type Emit = (r: BenchResult) => void;

const TABLE = `CREATE TABLE bench10 (id bigint PRIMARY KEY, name text NOT NULL, email varchar(64), age int,
  score double precision, active boolean, created timestamptz, balance numeric(12,2), note text, born date)`;
const FILL = (
  n: number,
) => `INSERT INTO bench10 SELECT g, 'name ' || g, 'user' || g || '@example.com', g % 90,
  g / 7.0, g % 2 = 0, '2024-01-01'::timestamptz + g * interval '1 second', g * 1.25, 'a short note', '2000-01-01'::date + (g % 9000)
  FROM generate_series(1, ${n}) g`;

interface Worker {
  url: string;
  pid: number;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

async function startConnectWorker(broker: SamsaProcess): Promise<Worker> {
  const port = await freePort();
  const child = spawnTracked(
    'samsa connect',
    process.execPath,
    [
      // BENCH_WORKER_NODE_ARGS: extra Node flags for the worker (e.g. "--cpu-prof --cpu-prof-dir=DIR").
      ...(process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
      BIN,
      'connect',
      '--bootstrap-server',
      `127.0.0.1:${broker.port}`,
      '--rest-port',
      String(port),
      '--group-id',
      `bench-${port}`,
    ],
    { env: { ...process.env, SAMSA_CONNECT_LOG_LEVEL: 'warn' } },
  );
  // BENCH_WORKER_STDOUT: a file for the worker's stdout (e.g. with --trace-gc in BENCH_WORKER_NODE_ARGS).
  if (process.env.BENCH_WORKER_STDOUT) child.stdout?.pipe(createWriteStream(process.env.BENCH_WORKER_STDOUT));
  else child.stdout?.resume();
  child.stderr?.resume();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error('samsa connect did not start');
    await sleep(100);
  }
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  // A profiled worker (--cpu-prof) writes its profile on exit: give it time to stop cleanly.
  const grace = process.env.BENCH_WORKER_NODE_ARGS ? 30_000 : 5000;
  return { url, pid: child.pid!, call, stop: () => stopPid(child.pid!, grace) };
}

function cdcConfig(p: TestPostgres, db: string, prefix: string, extra: Record<string, string> = {}) {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': p.host,
    'database.port': String(p.port),
    'database.user': p.user,
    'database.password': p.password,
    'database.dbname': db,
    'topic.prefix': prefix,
    'slot.name': `slot_${prefix}`,
    'slot.drop.on.stop': 'true',
    ...extra,
  };
}

/**
 * For PostgreSQL's CPU: the postmaster, whose tree holds every backend (reaped ones included) and
 * the WAL sender; it is the parent of `client`'s backend.
 */
async function postmasterOf(client: pg.Client): Promise<number> {
  const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const stat = readFileSync(`/proc/${backend}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(intervalMs);
  }
  return false;
}

function loadAverage(): string {
  return loadavg()[0]!.toFixed(1);
}

function cpuPerRecord(seconds: number, records: number): string {
  return ((seconds * 1e6) / records).toFixed(1);
}

function rateRow(
  workload: string,
  client: string,
  records: number,
  seconds: number,
  note: string,
): BenchResult {
  return { ...unavailable(SYSTEM, client, workload, note), records_per_s: round(records / seconds, 0) };
}

/**
 * BENCH_PG_FORMAT=json-schemaless: the snapshot's records as bare JSON (JsonConverter with
 * schemas.enable=false, about a sixth of the bytes), the compact form a production user may pick.
 * The sink needs schemas, so with it only the snapshot runs meaningfully.
 */
const SNAPSHOT_FORMAT = {
  json: { label: "JsonConverter with schemas (Debezium's default JSON)", config: {} },
  'json-schemaless': {
    label: 'JsonConverter with schemas.enable=false (bare JSON, compact)',
    config: { 'key.converter.schemas.enable': 'false', 'value.converter.schemas.enable': 'false' },
  },
} as const;

function snapshotFormat(): keyof typeof SNAPSHOT_FORMAT {
  const f = process.env.BENCH_PG_FORMAT ?? 'json';
  if (!(f in SNAPSHOT_FORMAT))
    throw new Error(`BENCH_PG_FORMAT: one of ${Object.keys(SNAPSHOT_FORMAT).join(', ')}`);
  return f as keyof typeof SNAPSHOT_FORMAT;
}

async function snapshotRows(
  o: BenchOptions,
  p: TestPostgres,
  broker: SamsaProcess,
  worker: Worker,
  emit: Emit,
): Promise<number> {
  // BENCH_PG_LAT_ROWS: another table size (default 300,000; --quick 50,000).
  const rows = Number(process.env.BENCH_PG_LAT_ROWS ?? (o.quick ? 50_000 : 300_000));
  await p.createDatabase('snap');
  await p.query(TABLE, [], 'snap');
  await p.query(FILL(rows), [], 'snap');
  await p.query('VACUUM ANALYZE bench10', [], 'snap');

  // The task alone: no Kafka, no converter.
  const alone = new SourceHarness(postgresCdcSource.createTask());
  await alone.start(cdcConfig(p, 'snap', 'alone', { 'snapshot.mode': 'initial_only' }));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let n = 0;
  while (n < rows) n += (await alone.task.poll())?.length ?? 0;
  const aloneSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await alone.stop();
  emit(
    rateRow(
      'CDC snapshot, 10 columns (task alone)',
      'SourceTask.poll',
      rows,
      aloneSeconds,
      `${rows} rows read and turned into Debezium records, no Kafka; task CPU ${((cpu.user + cpu.system) / rows).toFixed(1)} µs/row`,
    ),
  );

  const topic = 'snap.public.bench10';
  const format = snapshotFormat();
  const start = performance.now();
  const workerCpu0 = cpuSeconds([worker.pid, broker.pid]);
  const workerOnly0 = cpuSeconds([worker.pid]);
  // BENCH_PG_CDC_EXTRA: more connector settings as JSON (e.g. '{"max.batch.size":"512"}').
  const created = await worker.call('POST', '/connectors', {
    name: 'snap-cdc',
    config: cdcConfig(p, 'snap', 'snap', {
      ...SNAPSHOT_FORMAT[format].config,
      ...JSON.parse(process.env.BENCH_PG_CDC_EXTRA ?? '{}'),
    }),
  });
  if (created.status !== 201) throw new Error(`create: ${JSON.stringify(created.body)}`);
  // ListOffsets on one connection: the broker reads no records for it (a Fetch probe sent it up to
  // 512 KiB, the topic's first batch, ten times a second). Every 10 ms: at 100 ms the end was seen
  // up to 100 ms late, ~2.5% of a 4 s snapshot.
  // BENCH_PG_TIMELINE=1: the topic's end offset every 100 ms on stderr (start-up, steady rate, tail).
  const probe = new EndOffsetProbe(broker.port, topic);
  const timeline = process.env.BENCH_PG_TIMELINE === '1';
  let nextMark = 0;
  const done = await waitUntil(
    async () => {
      const end = await probe.end().catch(() => 0n);
      const at = performance.now() - start;
      if (timeline && (at >= nextMark || end >= BigInt(rows))) {
        console.error(`snapshot +${Math.round(at)} ms: end offset ${end}`);
        nextMark = at + 100;
      }
      return end >= BigInt(rows);
    },
    600_000,
    10,
  );
  probe.close();
  const seconds = (performance.now() - start) / 1000;
  const workerCpu = cpuPerRecord(cpuSeconds([worker.pid, broker.pid]) - workerCpu0, rows);
  const workerOnly = cpuPerRecord(cpuSeconds([worker.pid]) - workerOnly0, rows);
  // The topic stays for the sink workloads; the connector goes (its slot is dropped on stop).
  await worker.call('DELETE', '/connectors/snap-cdc');
  emit(
    done
      ? rateRow(
          `CDC snapshot, 10 columns, into Samsa${format === 'json' ? '' : ` (${format})`}`,
          'samsa connect',
          rows,
          seconds,
          `${rows} rows from POST /connectors to the last record in the topic; ${SNAPSHOT_FORMAT[format].label}; worker + broker CPU ${workerCpu} µs/row (worker ${workerOnly}); load ${loadAverage()}`,
        )
      : unavailable(
          SYSTEM,
          'samsa connect',
          'CDC snapshot, 10 columns, into Samsa',
          'did not finish in 10 minutes',
        ),
  );
  return rows;
}

async function sinkRows(
  o: BenchOptions,
  p: TestPostgres,
  broker: SamsaProcess,
  worker: Worker,
  rows: number,
  emit: Emit,
): Promise<void> {
  await p.createDatabase('sinkdb');
  // Waiting for the sink: every 100 ms, on one connection, the row of the topic's last record
  // (the snapshot reads the table in its physical order, ids 1..rows) is checked first, and only
  // once it is there (or updated) the whole table is counted. BENCH_PG_SINK_PROBE=count: a
  // count(*) on a new connection every 100 ms, as before (a seq scan of the table and a backend
  // fork each time: about 10% of a core of PostgreSQL's CPU).
  const countProbe = process.env.BENCH_PG_SINK_PROBE === 'count';
  const probe = await p.connect('sinkdb');
  probe.on('error', () => {});
  const fullCheck = async (updated: boolean): Promise<boolean> =>
    Number(
      (
        await p
          .query<{ n: string }>(
            `SELECT count(*) AS n FROM bench10${updated ? ' WHERE note IS NULL' : ''}`,
            [],
            'sinkdb',
          )
          .catch(() => [{ n: updated ? '1' : '0' }])
      )[0]!.n,
    ) === (updated ? 0 : rows);
  const cheapCheck = async (updated: boolean): Promise<boolean> => {
    const last = await probe
      .query(`SELECT 1 FROM bench10 WHERE id = $1${updated ? ' AND note IS NOT NULL' : ''}`, [rows])
      .catch(() => ({ rowCount: 0 }));
    if (last.rowCount === 0) return false;
    const n = await probe.query<{ n: string }>(
      `SELECT count(*) AS n FROM bench10${updated ? ' WHERE note IS NULL' : ''}`,
    );
    return Number(n.rows[0]!.n) === (updated ? 0 : rows);
  };
  const sinkConfig = {
    ...bench10SinkConfig(p.url('sinkdb')),
    'consumer.override.max.poll.records': '2000',
    // BENCH_PG_SINK_EXTRA: more sink settings as JSON (e.g. '{"consumer.override.max.partition.fetch.bytes":"4194304"}').
    ...JSON.parse(process.env.BENCH_PG_SINK_EXTRA ?? '{}'),
  };
  const postmaster = await postmasterOf(probe);
  for (const [name, label] of [
    ['sink-new', 'new rows'],
    ['sink-again', 'existing rows'],
  ] as const) {
    const marker =
      name === 'sink-again'
        ? await p.query('UPDATE bench10 SET note = NULL', [], 'sinkdb').then(() => true)
        : false;
    const start = performance.now();
    const cpu0 = cpuSeconds([worker.pid, broker.pid]);
    const workerOnly0 = cpuSeconds([worker.pid]);
    const pg0 = treeCpuSeconds(postmaster);
    const created = await worker.call('POST', '/connectors', { name, config: sinkConfig });
    if (created.status !== 201) throw new Error(`create: ${JSON.stringify(created.body)}`);
    const done = await waitUntil(
      async () => (countProbe ? await fullCheck(marker) : await cheapCheck(marker)),
      600_000,
      100,
    );
    const seconds = (performance.now() - start) / 1000;
    const cpu = cpuPerRecord(cpuSeconds([worker.pid, broker.pid]) - cpu0, rows);
    const workerOnly = cpuPerRecord(cpuSeconds([worker.pid]) - workerOnly0, rows);
    const pgCpu = cpuPerRecord(treeCpuSeconds(postmaster) - pg0, rows);
    await worker.call('DELETE', `/connectors/${name}`);
    emit(
      done
        ? rateRow(
            `sink upserts, batch.size=2000 (${label})`,
            'samsa connect',
            rows,
            seconds,
            `${rows} Debezium envelopes (JSON with schemas) from the topic into PostgreSQL, from POST /connectors to the last row; worker + broker CPU ${cpu} µs/row (worker ${workerOnly}); PostgreSQL ${pgCpu} µs/row (${countProbe ? "with the bench's count every 100 ms" : 'with the bench probe'}); load ${loadAverage()}`,
          )
        : unavailable(SYSTEM, 'samsa connect', `sink upserts (${label})`, 'did not finish in 10 minutes'),
    );
  }

  await probe.end();

  // The task alone: records as the runtime hands them over, no Kafka.
  await p.createDatabase('sinkalone');
  const alone = new SinkHarness(postgresSink.createTask());
  await alone.start({ ...sinkConfig, 'connection.url': p.url('sinkalone') });
  const source = new SourceHarness(postgresCdcSource.createTask());
  await source.start(cdcConfig(p, 'snap', 'feed', { 'snapshot.mode': 'initial_only' }));
  const records: SinkRecord[] = [];
  while (records.length < rows) {
    for (const r of (await source.task.poll()) ?? []) {
      records.push(
        alone.record(r.topic, r.key, r.value, { keySchema: r.keySchema, valueSchema: r.valueSchema }),
      );
    }
  }
  await source.stop();
  for (const label of ['new rows', 'existing rows']) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const pg0 = treeCpuSeconds(postmaster);
    for (let i = 0; i < records.length; i += 2000) await alone.put(records.slice(i, i + 2000));
    await alone.flush();
    const cpu = process.cpuUsage(cpu0);
    const pgCpu = cpuPerRecord(treeCpuSeconds(postmaster) - pg0, rows);
    emit(
      rateRow(
        `sink upserts, batch.size=2000 (task alone, ${label})`,
        'SinkTask.put',
        rows,
        (performance.now() - t0) / 1000,
        `COPY into a staging table + INSERT ... ON CONFLICT per batch, no Kafka; task CPU ${((cpu.user + cpu.system) / rows).toFixed(1)} µs/row, PostgreSQL ${pgCpu} µs/row; load ${loadAverage()}`,
      ),
    );
  }
  await alone.stop();
  void o;
}

/** The latency workload's table size: the UPDATEs cycle through its ids. */
const LAT_ROWS = 10_000;

async function streamingLatency(
  o: BenchOptions,
  p: TestPostgres,
  broker: SamsaProcess,
  worker: Worker,
  emit: Emit,
): Promise<void> {
  // BENCH_PG_RATE: another offered rate, for diagnosis (the target is 5,000/s).
  const rate = Number(process.env.BENCH_PG_RATE ?? 5000);
  const seconds = o.quick ? 5 : 20;
  const warmup = o.quick ? 1 : 3;
  await p.createDatabase('stream');
  await p.query('CREATE TABLE lat (id int PRIMARY KEY, v int NOT NULL, note text)', [], 'stream');
  await p.query(`INSERT INTO lat SELECT g, 0, 'x' FROM generate_series(1, ${LAT_ROWS}) g`, [], 'stream');
  const admin = await p.connect('stream');
  const postmaster = await postmasterOf(admin);
  await admin.end();
  // BENCH_PG_LATENCY=kcat: latency to kcat's arrival, live (consumer included, and kcat and this
  // process parsing 5,000 lines/s of 3.7 KB on the same two cores during the run). By default the
  // topic has message.timestamp.type=LogAppendTime (set through the connector's
  // topic.creation.default.* keys) and latency is the broker's append time minus the commit time:
  // commit-to-record-in-topic, the records read back with kcat after the run.
  const live = process.env.BENCH_PG_LATENCY === 'kcat';
  const created = await worker.call('POST', '/connectors', {
    name: 'stream-cdc',
    config: cdcConfig(p, 'stream', 'stream', {
      'snapshot.mode': 'never',
      ...(live ? {} : { 'topic.creation.default.message.timestamp.type': 'LogAppendTime' }),
      // BENCH_PG_CDC_EXTRA as for the snapshot (e.g. '{"producer.override.linger.ms":"0"}').
      ...JSON.parse(process.env.BENCH_PG_CDC_EXTRA ?? '{}'),
    }),
  });
  if (created.status !== 201) throw new Error(`create: ${JSON.stringify(created.body)}`);
  await waitUntil(async () => {
    const s = (await worker.call('GET', '/connectors/stream-cdc/status')).body as {
      tasks?: { state: string }[];
    };
    return s.tasks?.[0]?.state === 'RUNNING';
  }, 60_000);
  // Prime the topic so kcat can subscribe from its end.
  await p.query('UPDATE lat SET v = v + 1 WHERE id = 1', [], 'stream');
  const probe = new EndOffsetProbe(broker.port, 'stream.public.lat');
  await waitUntil(async () => (await probe.end().catch(() => 0n)) > 0n, 30_000);
  const primed = await probe.end();

  const samples = new LatencySamples(rate * (seconds + warmup) * 2);
  // BENCH_PG_LATENCY_CSV=FILE: every measured change's commit, record, Kafka timestamp and arrival
  // (live) or append (default) times.
  const dump = process.env.BENCH_PG_LATENCY_CSV ? createWriteStream(process.env.BENCH_PG_LATENCY_CSV) : null;
  dump?.write('commit_us,record_us,kafka_ms,arrival_us\n');
  // Where the time goes: commit → task's record (WAL decoding, the replication stream, the task),
  // live: → the runner's encoding (the task's queue, poll, conversion, a request in flight), → kcat
  // (produce, broker, kcat's fetch); by default: → in the topic (queue, conversion, produce, append).
  const stages = {
    decode: new LatencySamples(rate * (seconds + warmup) * 2),
    queue: new LatencySamples(rate * (seconds + warmup) * 2),
    deliver: new LatencySamples(rate * (seconds + warmup) * 2),
  };
  let received = 0;
  let measureFrom = 0;
  /** One kcat line (`%T %s`); `arrivalUs` null: the Kafka timestamp is the append time. */
  const onLine = (line: string, arrivalUs: number | null): void => {
    const m = /"ts_us":(\d+)/.exec(line);
    if (!m) return;
    received++;
    const commitUs = Number(m[1]);
    if (commitUs < measureFrom) return;
    // The envelope's own ts_us (the last in the line) is when the task turned the change into a
    // record; the Kafka timestamp (kcat's %T, ms) is when the runner encoded it (live) or when the
    // broker appended it (LogAppendTime).
    const kafkaMs = Number(line.slice(0, line.indexOf(' ')));
    const endUs = arrivalUs ?? kafkaMs * 1000;
    samples.add((endUs - commitUs) / 1000);
    const last = line.lastIndexOf('"ts_us":');
    const processedUs = last > m.index ? Number.parseInt(line.slice(last + 8, last + 30), 10) : Number.NaN;
    if (Number.isFinite(processedUs)) stages.decode.add((processedUs - commitUs) / 1000);
    if (arrivalUs === null) {
      if (Number.isFinite(processedUs)) stages.deliver.add(endUs / 1000 - processedUs / 1000);
    } else {
      if (Number.isFinite(processedUs) && kafkaMs > 0) stages.queue.add(kafkaMs - processedUs / 1000);
      if (kafkaMs > 0) stages.deliver.add(endUs / 1000 - kafkaMs);
    }
    dump?.write(`${commitUs},${processedUs},${kafkaMs},${endUs}\n`);
  };
  const readLines = (from: 'end' | 'beginning', exitAtEnd: boolean, arrival: boolean) => {
    const kcat = spawn(
      'kcat',
      [
        '-b',
        `127.0.0.1:${broker.port}`,
        '-C',
        '-t',
        'stream.public.lat',
        '-o',
        from,
        ...(exitAtEnd ? ['-e'] : []),
        '-u',
        '-q',
        '-f',
        '%T %s\n',
        // BENCH_PG_KCAT_ARGS: extra kcat arguments, for diagnosis (e.g. "-X fetch.wait.max.ms=10").
        ...(process.env.BENCH_PG_KCAT_ARGS ?? '').split(' ').filter(Boolean),
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let buffered = '';
    kcat.stdout.on('data', (chunk: Buffer) => {
      const nowUs = arrival ? Date.now() * 1000 : null;
      buffered += chunk.toString();
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        onLine(buffered.slice(0, nl), nowUs);
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
      }
    });
    return kcat;
  };
  const kcat = live ? readLines('end', false, true) : null;
  await sleep(1000);

  // BENCH_PG_LOAD=clients: the earlier load, 16 node-postgres clients each running one
  // parameterized UPDATE at a time (47-78 µs of this process's CPU per change, competing with what is
  // measured on two cores). By default: pipelined prepared UPDATEs on BENCH_PG_WRITERS (4)
  // connections, each its own transaction (pg-pipelined-updates.ts; 22-39 µs per change).
  const clientsLoad = process.env.BENCH_PG_LOAD === 'clients';
  const writers = Number(process.env.BENCH_PG_WRITERS ?? (clientsLoad ? 16 : 4));
  const clients = clientsLoad
    ? await Promise.all(
        Array.from({ length: writers }, async () => {
          const c = new pg.Client(p.config('stream'));
          await c.connect();
          return c;
        }),
      )
    : [];
  const pipelined = clientsLoad
    ? null
    : await PipelinedUpdates.open(p.config('stream'), 'UPDATE lat SET v = v + 1 WHERE id = $1', writers);
  let sent = 0;
  // This process both writes the changes and timestamps kcat's lines: its own event-loop delay is
  // part of every measured latency, so it is reported with them.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const benchCpu0 = process.cpuUsage();
  const workerCpu0 = cpuSeconds([worker.pid]);
  const brokerCpu0 = cpuSeconds([broker.pid]);
  const pgCpu0 = treeCpuSeconds(postmaster);
  const begin = performance.now();
  measureFrom = (Date.now() + warmup * 1000) * 1000;
  const end = begin + (seconds + warmup) * 1000;
  if (pipelined) {
    // Every millisecond or so, the transactions due by now at the target rate, in one write on the
    // next connection in turn; at most a second's worth unanswered (beyond that the rate is not
    // reached).
    const ids: number[] = [];
    while (performance.now() < end) {
      const due = Math.floor(((performance.now() - begin) / 1000) * rate);
      ids.length = 0;
      while (sent < due && pipelined.outstanding + ids.length < rate) ids.push(1 + (sent++ % LAT_ROWS));
      pipelined.send(ids);
      await sleep(1);
    }
    await pipelined.settled();
  } else {
    // Each writer one statement at a time, taking the statements due at the target rate.
    await Promise.all(
      clients.map(async (c) => {
        while (performance.now() < end) {
          const due = Math.floor(((performance.now() - begin) / 1000) * rate);
          if (sent >= due) {
            await sleep(1);
            continue;
          }
          const id = 1 + (sent++ % LAT_ROWS);
          await c.query('UPDATE lat SET v = v + 1 WHERE id = $1', [id]);
        }
      }),
    );
  }
  const achieved = sent / ((performance.now() - begin) / 1000);
  if (live) {
    await waitUntil(async () => received >= sent, 30_000, 100);
  } else {
    await waitUntil(async () => (await probe.end()) >= primed + BigInt(sent), 60_000, 100);
  }
  const workerCpu = cpuPerRecord(cpuSeconds([worker.pid]) - workerCpu0, Math.max(sent, 1));
  const brokerCpu = cpuPerRecord(cpuSeconds([broker.pid]) - brokerCpu0, Math.max(sent, 1));
  const pgCpu = cpuPerRecord(treeCpuSeconds(postmaster) - pgCpu0, Math.max(sent, 1));
  loopDelay.disable();
  const benchCpu = process.cpuUsage(benchCpu0);
  const benchNote = `this process's event-loop delay p50/p99 ${(loopDelay.percentile(50) / 1e6).toFixed(1)}/${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, its CPU ${cpuPerRecord((benchCpu.user + benchCpu.system) / 1e6, Math.max(sent, 1))} µs/change`;
  kcat?.kill('SIGTERM');
  if (!live) {
    // The run is over: read every record back from the start (the append times are in them).
    const reader = readLines('beginning', true, false);
    await new Promise((done) => reader.once('exit', done));
  }
  dump?.end();
  probe.close();
  await Promise.all(clients.map((c) => c.end()));
  await pipelined?.close();
  await worker.call('DELETE', '/connectors/stream-cdc');
  const [p50, p99, p999] = samples.percentiles([50, 99, 99.9]);
  const stage = (l: LatencySamples): string =>
    l
      .percentiles([50, 99])
      .map((v) => (v === null ? '-' : v.toFixed(1)))
      .join('/');
  const stageNote = live
    ? `p50/p99 ms by stage: commit → task's record ${stage(stages.decode)}, → runner's encoding ${stage(stages.queue)}, → kcat ${stage(stages.deliver)}`
    : `p50/p99 ms by stage: commit → task's record ${stage(stages.decode)}, → in the topic ${stage(stages.deliver)}`;
  emit({
    ...unavailable(
      SYSTEM,
      live ? 'samsa connect → kcat' : 'samsa connect',
      `CDC commit-to-topic latency at ${rate / 1000}k changes/s${live ? ' (to kcat, live)' : ''}`,
      '',
    ),
    records_per_s: round(achieved, 0),
    p50_ms: round(p50, 1),
    p99_ms: round(p99, 1),
    p999_ms: round(p999, 1),
    note: `${sent} single-row UPDATE transactions (${clientsLoad ? `${writers} node-postgres clients, one at a time` : `pipelined prepared statements on ${writers} connections`}) over ${seconds + warmup} s (first ${warmup} s not measured), ${received} records read; latency = ${live ? 'kcat arrival' : "the broker's append time (LogAppendTime, ms)"} − PostgreSQL commit timestamp (source.ts_us); ${stageNote}; ${benchNote}; worker CPU ${workerCpu} µs/change (broker ${brokerCpu}, PostgreSQL ${pgCpu}); load ${loadAverage()}`,
  });
}

export async function postgresConnectorsSuite(o: BenchOptions, emit: Emit): Promise<void> {
  let p: TestPostgres | null = null;
  let broker: SamsaProcess | null = null;
  let worker: Worker | null = null;
  try {
    p = await startPostgres({ settings: { shared_buffers: '256MB', max_wal_size: '4GB' } }); // synchronous_commit on, fsync off
    // BENCH_BROKER_NODE_ARGS: extra Node flags for the broker (e.g. "--cpu-prof --cpu-prof-dir=DIR").
    const brokerArgs = (process.env.BENCH_BROKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    broker = await startSamsa('never', { nodeArgs: brokerArgs });
    worker = await startConnectWorker(broker);
    // BENCH_PG_PARTS=snapshot,sink,latency picks workloads (the sink reads the snapshot's topic).
    const parts = new Set((process.env.BENCH_PG_PARTS ?? 'snapshot,sink,latency').split(','));
    if (parts.has('snapshot') || parts.has('sink')) {
      const rows = await snapshotRows(o, p, broker, worker, emit);
      if (parts.has('sink')) await sinkRows(o, p, broker, worker, rows, emit);
    }
    if (parts.has('latency')) await streamingLatency(o, p, broker, worker, emit);
  } catch (err) {
    emit(unavailable(SYSTEM, '-', 'postgres connectors', `failed: ${(err as Error).stack ?? String(err)}`));
  } finally {
    await worker?.stop();
    await broker?.stop();
    await p?.stop();
  }
}

if (import.meta.main) {
  const { parseOptions } = await import('../lib/options.ts');
  const { installCleanupHandlers, stopAll } = await import('../lib/procs.ts');
  installCleanupHandlers();
  const o = parseOptions(process.argv.slice(2));
  try {
    await postgresConnectorsSuite(o, (r) => console.log(JSON.stringify(r)));
  } finally {
    await stopAll();
  }
}
