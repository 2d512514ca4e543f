/**
 * The Postgres sink's merge of EXISTING rows, per method, on the bench's 10-column table
 * (`node bench/connect/sink-merge-existing.ts`): ROWS rows (default 100,000) are upserted as new rows
 * in 2,000-row COPY + ON CONFLICT batches, then `UPDATE bench10 SET note = NULL` (as
 * postgres-suite.ts does before its existing-rows phase), a CHECKPOINT, and every row is written
 * again in 2,000-row transactions by METHODS (comma-separated, default onconflict,update-insert,merge):
 * - onconflict: COPY into the staging table, `INSERT ... SELECT ... ON CONFLICT (id) DO UPDATE` (the sink);
 * - update-insert: `UPDATE ... FROM stage`, then `INSERT ... WHERE NOT EXISTS ... ON CONFLICT`;
 * - cte: the same as one statement (`WITH u AS (UPDATE ... RETURNING) INSERT ... NOT IN u`);
 * - merge: `MERGE INTO ... USING stage` (not safe against concurrent inserts of the same key).
 * Prints rows/s and PostgreSQL CPU µs per row (the backend, and the postmaster's tree), ROUNDS times.
 * EXPLAIN=1: EXPLAIN (ANALYZE, BUFFERS, WAL) of the 11th batch's statements; PERF=prefix: `perf
 * record -g` of the backend during each method's phase; NOTNULL=0: no UPDATE before; VACUUM=1: a
 * VACUUM after it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { startPostgres } from '../../test/helpers/postgres.ts';
import { cpuSeconds, treeCpuSeconds } from '../lib/proc-stats.ts';

const ROWS = Number(process.env.ROWS ?? 100000);
const BATCH = 2000;
const methods = (process.env.METHODS ?? 'onconflict,update-insert,merge').split(',');
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const DDL = `CREATE TABLE bench10 (id bigint PRIMARY KEY, name text NOT NULL, email text, age integer,
  score double precision, active boolean, created timestamptz, balance numeric(12,2), note text, born date)`;
const COLS = ['id', 'name', 'email', 'age', 'score', 'active', 'created', 'balance', 'note', 'born'];
const VALS = COLS.slice(1);
function line(g: number): string {
  return `${g}\tname ${g}\tuser${g}@example.com\t${g % 90}\t${g / 7}\t${g % 2 === 0 ? 't' : 'f'}\t2024-01-01T00:00:00Z\t${(g * 1.25).toFixed(2)}\ta short note\t2000-01-01\n`;
}
const set = VALS.map((v) => `${v} = EXCLUDED.${v}`).join(', ');
const setS = VALS.map((v) => `${v} = s.${v}`).join(', ');
const all = COLS.join(', ');
const SQL: Record<string, string[]> = {
  onconflict: [`INSERT INTO bench10 (${all}) SELECT ${all} FROM stage ON CONFLICT (id) DO UPDATE SET ${set}`],
  'update-insert': [
    `UPDATE bench10 AS t SET ${setS} FROM stage AS s WHERE t.id = s.id`,
    `INSERT INTO bench10 (${all}) SELECT ${all} FROM stage AS s WHERE NOT EXISTS (SELECT 1 FROM bench10 t WHERE t.id = s.id) ON CONFLICT (id) DO UPDATE SET ${set}`,
  ],
  cte: [
    `WITH u AS (UPDATE bench10 AS t SET ${setS} FROM stage AS s WHERE t.id = s.id RETURNING t.id) INSERT INTO bench10 (${all}) SELECT ${all} FROM stage AS s WHERE s.id NOT IN (SELECT id FROM u) ON CONFLICT (id) DO UPDATE SET ${set}`,
  ],
  merge: [
    `MERGE INTO bench10 AS t USING stage AS s ON t.id = s.id WHEN MATCHED THEN UPDATE SET ${setS} WHEN NOT MATCHED THEN INSERT (${all}) VALUES (${COLS.map((c) => `s.${c}`).join(', ')})`,
  ],
};

const server = await startPostgres({
  settings: {
    shared_buffers: '256MB',
    max_wal_size: '4GB',
    ...(process.env.PGSET ? JSON.parse(process.env.PGSET) : {}),
  },
});
try {
  const client: pg.Client = await server.connect();
  const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const stat = readFileSync(`/proc/${backend}/stat`, 'utf8');
  const postmaster = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  const copy = async (into: string, from: number, to: number) => {
    let text = '';
    for (let g = from; g < to; g++) text += line(g);
    await pipeline(
      Readable.from([Buffer.from(text)]),
      client.query(copyFrom(`COPY ${into} (${all}) FROM STDIN`)),
    );
  };
  for (let round = 0; round < ROUNDS; round++)
    for (const m of methods) {
      await client.query('DROP TABLE IF EXISTS bench10');
      await client.query(DDL);
      await client.query('DROP TABLE IF EXISTS stage');
      await client.query(
        `CREATE TEMP TABLE stage ON COMMIT DELETE ROWS AS SELECT ${all} FROM bench10 WITH NO DATA`,
      );
      for (let i = 1; i <= ROWS; i += BATCH) {
        await client.query('BEGIN');
        await copy('stage', i, Math.min(i + BATCH, ROWS + 1));
        for (const q of SQL.onconflict!) await client.query(q);
        await client.query('COMMIT');
      }
      if (process.env.NOTNULL !== '0') await client.query('UPDATE bench10 SET note = NULL');
      if (process.env.VACUUM === '1') await client.query('VACUUM bench10');
      await client.query('CHECKPOINT');
      await new Promise((r) => setTimeout(r, 500));
      const perf = process.env.PERF
        ? spawn('perf', ['record', '-g', '-p', String(backend), '-o', `${process.env.PERF}-${m}.data`], {
            stdio: 'ignore',
          })
        : null;
      if (perf) await new Promise((r) => setTimeout(r, 1000));
      const t0 = performance.now();
      const b0 = cpuSeconds([backend]);
      const s0 = treeCpuSeconds(postmaster);
      const start = Number(process.env.OFFSET ?? 1);
      for (let i = start; i < start + ROWS; i += BATCH) {
        await client.query('BEGIN');
        await copy('stage', i, i + BATCH);
        if (process.env.EXPLAIN === '1' && i === start + 10 * BATCH) {
          for (const q of SQL[m]!) {
            const r = await client.query(`EXPLAIN (ANALYZE, BUFFERS, WAL) ${q}`);
            console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
          }
        } else for (const q of SQL[m]!) await client.query(q);
        await client.query('COMMIT');
      }
      const s = performance.now() - t0;
      if (perf) {
        perf.kill('SIGINT');
        await new Promise((r) => perf.on('exit', r));
      }
      const be = ((cpuSeconds([backend]) - b0) * 1e6) / ROWS;
      const tr = ((treeCpuSeconds(postmaster) - s0) * 1e6) / ROWS;
      const n = (await client.query('SELECT count(*) AS n, count(note) AS nn FROM bench10')).rows[0];
      console.log(
        `${m}: ${Math.round(ROWS / (s / 1000))} rows/s backend ${be.toFixed(2)} tree ${tr.toFixed(2)} µs/row rows ${n.n}/${n.nn}`,
      );
    }
  await client.end();
} finally {
  await server.stop();
}
