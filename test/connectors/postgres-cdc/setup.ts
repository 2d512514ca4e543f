/** Shared setup for the CDC tests: a database per test on one embedded PostgreSQL, and the task config for it. */
import type { ConnectConfig, SourceRecord, Struct } from '../../../src/connect/api/index.ts';
import { postgresCdcSource } from '../../../src/connectors/postgres-cdc/index.ts';
import type { TestPostgres } from '../../helpers/postgres.ts';
import { SourceHarness } from '../harness.ts';

let counter = 0;

/** A fresh database; returns its name. */
export async function freshDatabase(pg: TestPostgres, setup: string[] = []): Promise<string> {
  const name = `cdc_${process.pid}_${++counter}`;
  await pg.createDatabase(name);
  const client = await pg.connect(name);
  try {
    for (const sql of setup) await client.query(sql);
  } finally {
    await client.end();
  }
  return name;
}

export function cdcConfig(pg: TestPostgres, db: string, extra: Record<string, string> = {}): ConnectConfig {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': pg.host,
    'database.port': String(pg.port),
    'database.user': pg.user,
    'database.password': pg.password,
    'database.dbname': db,
    'topic.prefix': 'srv',
    'slot.name': `slot_${db}`,
    'heartbeat.interval.ms': '0',
    'status.update.interval.ms': '200',
    ...extra,
  };
}

export async function startSource(
  config: ConnectConfig,
  offsets?: SourceHarness['offsets'],
): Promise<SourceHarness> {
  const harness = new SourceHarness(postgresCdcSource.createTask(), offsets);
  await harness.start(config);
  return harness;
}

export function payload(record: SourceRecord): Struct {
  return record.value as Struct;
}

export function op(record: SourceRecord): string | null {
  return record.value === null ? null : (payload(record).op as string);
}

export function after(record: SourceRecord): Struct | null {
  return payload(record).after as Struct | null;
}

export function before(record: SourceRecord): Struct | null {
  return payload(record).before as Struct | null;
}

/** Data records of one table (heartbeats left out). */
export function ofTable(records: readonly SourceRecord[], topic: string): SourceRecord[] {
  return records.filter((r) => r.topic === topic);
}

export async function confirmedFlush(pg: TestPostgres, slot: string): Promise<bigint | null> {
  const rows = await pg.query<{ lsn: string | null }>(
    `SELECT (confirmed_flush_lsn - '0/0'::pg_lsn)::text AS lsn FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  return rows[0]?.lsn ? BigInt(rows[0].lsn) : null;
}

export async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}
