/**
 * Which batch write the Postgres sink should use: upserts of 10-column rows (2,000 per batch, one
 * transaction each, half new keys and half existing) with (a) multi-row INSERT ... VALUES ... ON
 * CONFLICT, (b) INSERT ... SELECT FROM unnest(text[] per column) ON CONFLICT, (c) the same with arrays typed as
 * the columns, and (d) COPY into a
 * temporary table, then INSERT ... SELECT ... ON CONFLICT. Prints rows/s per method and the CPU
 * per row of this process and of PostgreSQL (medians of rounds). Run: `node bench/connect/sink-write-methods.ts [--rows 200000] [--batch 2000]`.
 */

import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { startPostgres } from '../../test/helpers/postgres.ts';
import { treeCpuSeconds } from '../lib/proc-stats.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
  },
});
const ROWS = Number(values.rows);
const BATCH = Number(values.batch);
const ROUNDS = Number(values.rounds);

const COLUMNS = ['id', 'name', 'email', 'age', 'score', 'active', 'created', 'balance', 'note', 'version'];
const TYPES = [
  'bigint',
  'text',
  'text',
  'integer',
  'double precision',
  'boolean',
  'timestamptz',
  'numeric(12,2)',
  'text',
  'integer',
];
const DDL = `CREATE TABLE IF NOT EXISTS t (id bigint PRIMARY KEY, name text, email text, age integer, score double precision,
  active boolean, created timestamptz, balance numeric(12,2), note text, version integer)`;

function row(id: number, version: number): string[] {
  return [
    String(id),
    `name ${id}`,
    `user${id}@example.com`,
    String(id % 90),
    String(id / 7),
    id % 2 ? 't' : 'f',
    '2024-01-02T03:04:05.123456Z',
    `${id}.25`,
    'some note text that is not very long',
    String(version),
  ];
}

function batches(version: number): string[][][] {
  const out: string[][][] = [];
  for (let start = 0; start < ROWS; start += BATCH) {
    const b: string[][] = [];
    // Half the keys already exist (ids from the previous round), half are new.
    for (let i = start; i < Math.min(start + BATCH, ROWS); i++)
      b.push(row(i % 2 === 0 ? i : i + version * ROWS, version));
    out.push(b);
  }
  return out;
}

const setList = COLUMNS.slice(1)
  .map((c) => `${c} = EXCLUDED.${c}`)
  .join(', ');

async function viaValues(client: pg.Client, rows: string[][]): Promise<void> {
  const per = Math.floor(65535 / COLUMNS.length);
  for (let s = 0; s < rows.length; s += per) {
    const chunk = rows.slice(s, s + per);
    const params: string[] = [];
    const tuples = chunk.map(
      (r) =>
        `(${r
          .map((v, j) => {
            params.push(v);
            return `$${params.length}::${TYPES[j]}`;
          })
          .join(',')})`,
    );
    await client.query(
      `INSERT INTO t (${COLUMNS.join(',')}) VALUES ${tuples.join(',')} ON CONFLICT (id) DO UPDATE SET ${setList}`,
      params,
    );
  }
}

async function viaUnnest(client: pg.Client, rows: string[][]): Promise<void> {
  const arrays = COLUMNS.map((_, j) => rows.map((r) => r[j]!));
  const select = COLUMNS.map((c, j) => `u.${c}::${TYPES[j]}`).join(', ');
  const params = COLUMNS.map((_, j) => `$${j + 1}::text[]`).join(', ');
  await client.query(
    `INSERT INTO t (${COLUMNS.join(',')}) SELECT ${select} FROM unnest(${params}) AS u(${COLUMNS.join(',')}) ON CONFLICT (id) DO UPDATE SET ${setList}`,
    arrays,
  );
}

/** unnest() of one array per column typed as the column (no cast per value in the SELECT). */
async function viaUnnestTyped(client: pg.Client, rows: string[][]): Promise<void> {
  const arrays = COLUMNS.map((_, j) => rows.map((r) => r[j]!));
  const params = COLUMNS.map((_, j) => `$${j + 1}::${TYPES[j]}[]`).join(', ');
  await client.query(
    `INSERT INTO t (${COLUMNS.join(',')}) SELECT * FROM unnest(${params}) ON CONFLICT (id) DO UPDATE SET ${setList}`,
    arrays,
  );
}

/** The typed unnest() with array literals built here, as one statement (its own transaction). */
async function viaUnnestLiterals(client: pg.Client, rows: string[][]): Promise<void> {
  const params = COLUMNS.map((_, j) => {
    let text = '{';
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i]![j]!;
      text += `${i === 0 ? '' : ','}"${/["\\]/.test(v) ? v.replace(/["\\]/g, '\\$&') : v}"`;
    }
    return `${text}}`;
  });
  const casts = COLUMNS.map((_, j) => `$${j + 1}::${TYPES[j]}[]`).join(', ');
  await client.query(
    `INSERT INTO t (${COLUMNS.join(',')}) SELECT * FROM unnest(${casts}) ON CONFLICT (id) DO UPDATE SET ${setList}`,
    params,
  );
}

async function viaCopy(client: pg.Client, rows: string[][]): Promise<void> {
  await client.query(
    `CREATE TEMP TABLE IF NOT EXISTS t_stage (LIKE t INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
  );
  const text = rows.map((r) => r.join('\t')).join('\n') + '\n';
  await pipeline(
    Readable.from([text]),
    client.query(copyFrom(`COPY t_stage (${COLUMNS.join(',')}) FROM STDIN`)),
  );
  await client.query(`INSERT INTO t SELECT * FROM t_stage ON CONFLICT (id) DO UPDATE SET ${setList}`);
}

const pgServer = await startPostgres({ settings: { shared_buffers: '256MB', max_wal_size: '4GB' } });
try {
  const client = await pgServer.connect();
  const methods: [string, (c: pg.Client, r: string[][]) => Promise<void>][] = [
    ['INSERT ... VALUES ... ON CONFLICT', viaValues],
    ['INSERT ... SELECT FROM unnest(text[]) ON CONFLICT', viaUnnest],
    ['INSERT ... SELECT * FROM unnest(typed arrays) ON CONFLICT', viaUnnestTyped],
    ['COPY to temp table + INSERT ... SELECT ON CONFLICT', viaCopy],
    ['unnest(typed arrays), literals built here, one statement', viaUnnestLiterals],
  ];
  /** Methods that are one statement and need no BEGIN/COMMIT around them. */
  const single = new Set([viaUnnestLiterals]);
  const results: Record<string, number[]> = {};
  // CPU µs per row: this process (the client) and PostgreSQL (the postmaster's tree).
  const cpu: Record<string, { client: number[]; server: number[] }> = {};
  const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const stat = readFileSync(`/proc/${backend}/stat`, 'utf8');
  const postmaster = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, write] of methods) {
      await client.query('DROP TABLE IF EXISTS t');
      await client.query(DDL);
      await client.query('BEGIN');
      await viaUnnest(client, batches(0).flat()); // existing keys
      await client.query('COMMIT');
      const work = batches(1);
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const s0 = treeCpuSeconds(postmaster);
      for (const b of work) {
        if (single.has(write)) {
          await write(client, b);
          continue;
        }
        await client.query('BEGIN');
        await write(client, b);
        await client.query('COMMIT');
      }
      const rate = ROWS / ((performance.now() - t0) / 1000);
      const c = process.cpuUsage(c0);
      (results[name] ??= []).push(rate);
      const entry = (cpu[name] ??= { client: [], server: [] });
      entry.client.push((c.user + c.system) / ROWS);
      entry.server.push(((treeCpuSeconds(postmaster) - s0) * 1e6) / ROWS);
    }
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  for (const [name, rates] of Object.entries(results)) {
    console.log(
      `${name}: ${Math.round(median(rates))} rows/s (rounds: ${rates.map((r) => Math.round(r)).join(', ')}); CPU µs/row client ${median(cpu[name]!.client).toFixed(1)}, PostgreSQL ${median(cpu[name]!.server).toFixed(1)}; load ${loadavg()[0]!.toFixed(1)}`,
    );
  }
  await client.end();
} finally {
  await pgServer.stop();
}
