/**
 * PostgreSQL as a queue: the machine's server on 127.0.0.1:5432 (database `test`, or PGDATABASE),
 * a table (id bigserial, payload bytea). Produce: multi-row INSERTs of 1,000 rows via unnest, 4
 * connections in parallel, each its own committed transaction (synchronous_commit as configured,
 * on by default: a WAL flush per commit, group-committed). Consume: keyset reads in id order
 * (`WHERE id > $last ORDER BY id LIMIT 10000`), the log-style read. Client: the `postgres` package.
 */
import postgres from 'postgres';
import { runInChild } from '../lib/child-run.ts';
import { canConnect } from '../lib/net.ts';
import type { BenchOptions, LatencyWindow } from '../lib/options.ts';
import { LatencySamples } from '../lib/percentiles.ts';
import { pidListeningOn, startUsage } from '../lib/proc-stats.ts';
import { unavailable } from '../lib/result.ts';
import { latencyRow, sizeLabel, throughputRow } from '../lib/rows.ts';
import { type Emit, paced, payload } from './common.ts';

const SYSTEM = 'PostgreSQL (queue table)';
const CLIENT = 'postgres (porsager)';
const PORT = Number(process.env.PGPORT ?? 5432);
type Sql = ReturnType<typeof postgres>;

async function produce(sql: Sql, table: string, size: number, o: BenchOptions) {
  const rows = Array.from({ length: 1000 }, () => payload(size));
  let acked = 0;
  let running = true;
  let error: string | undefined;
  const loop = async (): Promise<void> => {
    while (running && !error) {
      try {
        await sql`insert into ${sql(table)} (payload) select * from unnest(${sql.array(rows, 17)}::bytea[])`;
        acked += rows.length;
      } catch (err) {
        error = (err as Error).message;
      }
    }
  };
  const loops = Array.from({ length: 4 }, loop);
  await new Promise((r) => setTimeout(r, o.warmupMs));
  const a0 = acked;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, o.durationMs));
  const records = acked - a0;
  const seconds = (performance.now() - t0) / 1000;
  running = false;
  await Promise.all(loops);
  return { records, payloadBytes: records * size, seconds, error };
}

async function consume(sql: Sql, table: string, size: number, limitMs: number) {
  const [{ n }] = (await sql`select count(*)::int as n from ${sql(table)}`) as unknown as [{ n: number }];
  let last = 0;
  let records = 0;
  const t0 = performance.now();
  while (records < n && performance.now() - t0 < limitMs) {
    const rows = await sql`select id, payload from ${sql(table)} where id > ${last} order by id limit 10000`;
    if (rows.length === 0) break;
    records += rows.length;
    last = Number(rows[rows.length - 1]!.id);
  }
  return { records, payloadBytes: records * size, seconds: (performance.now() - t0) / 1000, total: n };
}

async function latency(sql: Sql, table: string, rate: number, o: LatencyWindow) {
  const samples = new LatencySamples(Math.ceil((rate * (o.latencyMs + 2000)) / 1000));
  const measureFrom = performance.now() + o.warmupMs;
  const [{ m }] = (await sql`select coalesce(max(id), 0)::bigint as m from ${sql(table)}`) as unknown as [
    { m: string },
  ];
  let last = Number(m);
  let received = 0;
  let running = true;
  const reader = (async () => {
    while (running) {
      const rows =
        await sql`select id, payload from ${sql(table)} where id > ${last} order by id limit 10000`;
      const now = performance.now();
      for (const r of rows) {
        const sentAt = (r.payload as Buffer).readDoubleBE(0);
        if (sentAt >= measureFrom) samples.add(now - sentAt);
        received++;
      }
      if (rows.length > 0) last = Number(rows[rows.length - 1]!.id);
      else await new Promise((r) => setTimeout(r, 1));
    }
  })();
  const sent = await paced(rate, o.warmupMs + o.latencyMs, (due) => {
    const rows = Array.from({ length: due }, () => payload(100, true));
    sql`insert into ${sql(table)} (payload) select * from unnest(${sql.array(rows, 17)}::bytea[])`.catch(
      () => {},
    );
  });
  const deadline = performance.now() + 2000;
  while (received < sent && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  running = false;
  await reader;
  const [p50, p99, p999] = samples.percentiles([50, 99, 99.9]);
  return { p50: p50 ?? null, p99: p99 ?? null, p999: p999 ?? null, sent, received };
}

/** End-to-end latency over its own connections; runs in a child process (child-run.ts). */
export async function postgresLatency(table: string, rate: number, o: LatencyWindow) {
  const sql = connect();
  try {
    return await latency(sql, table, rate, o);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function connect(): Sql {
  return postgres({
    host: '127.0.0.1',
    port: PORT,
    database: process.env.PGDATABASE ?? 'test',
    username: process.env.PGUSER ?? 'postgres',
    max: 6,
    onnotice: () => {},
  });
}

export async function postgresSuite(o: BenchOptions, emit: Emit): Promise<void> {
  if (!(await canConnect(PORT))) {
    emit(unavailable(SYSTEM, CLIENT, 'all', `not available: nothing listening on 127.0.0.1:${PORT}`));
    return;
  }
  const sql = connect();
  const pid = pidListeningOn(PORT);
  const tables: string[] = [];
  try {
    const sync = (await sql`show synchronous_commit`)[0]?.synchronous_commit as string;
    for (const size of o.quick ? [100] : [100, 1024]) {
      const table = `samsa_bench_${size}_${process.pid}`;
      await sql`create table ${sql(table)} (id bigserial primary key, payload bytea not null)`;
      tables.push(table);
      const usage = startUsage(pid, true);
      const r = await produce(sql, table, size, o);
      emit(
        throughputRow(
          { system: SYSTEM, client: CLIENT, workload: `produce ${sizeLabel(size)}` },
          r,
          usage.stop(),
          `INSERT ... unnest of 1000 rows, 4 connections, synchronous_commit=${sync}${r.error ? `; error: ${r.error}` : ''}`,
        ),
      );
    }
    const usage = startUsage(pid, true);
    const c = await consume(sql, tables[0]!, 100, o.quick ? 5000 : 30000);
    emit(
      throughputRow(
        { system: SYSTEM, client: CLIENT, workload: 'consume 100 B from start' },
        c,
        usage.stop(),
        `${c.records} of ${c.total} rows, keyset SELECT LIMIT 10000`,
      ),
    );
    const lt = `samsa_bench_lat_${process.pid}`;
    await sql`create table ${sql(lt)} (id bigserial primary key, payload bytea not null)`;
    tables.push(lt);
    const lu = startUsage(pid, true);
    const l = await runInChild<Awaited<ReturnType<typeof postgresLatency>>>(
      new URL(import.meta.url),
      'postgresLatency',
      [lt, 10000, { warmupMs: o.warmupMs, latencyMs: o.latencyMs }],
    );
    emit(
      latencyRow(
        { system: SYSTEM, client: CLIENT, workload: 'e2e latency 10k rec/s' },
        { ...l, records: l.received, seconds: (o.warmupMs + o.latencyMs) / 1000 },
        lu.stop(),
        `${l.received}/${l.sent} received; INSERT per 1 ms tick, polling SELECT`,
      ),
    );
  } finally {
    for (const t of tables) await sql`drop table if exists ${sql(t)}`.catch(() => {});
    await sql.end({ timeout: 5 });
  }
}
