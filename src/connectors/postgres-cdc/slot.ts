/**
 * The replication slot and the publication: reading a slot's state, creating it (optionally with an
 * exported snapshot for a consistent initial snapshot), dropping it, and making sure the publication
 * exists as `publication.autocreate.mode` asks.
 */
import type pg from 'pg';
import { ConnectError } from '../../connect/api/index.ts';
import type { CdcConfig } from './config.ts';
import { type Lsn, parseLsn } from './lsn.ts';

export interface SlotState {
  readonly plugin: string;
  readonly database: string;
  readonly active: boolean;
  readonly activePid: number | null;
  readonly confirmedFlush: Lsn;
  readonly walStatus: string | null;
}

export async function readSlot(client: pg.Client, name: string): Promise<SlotState | null> {
  const { rows } = await client.query<{
    plugin: string;
    database: string;
    active: boolean;
    active_pid: number | null;
    confirmed: string | null;
    wal_status: string | null;
  }>(
    `SELECT plugin, database, active, active_pid, confirmed_flush_lsn::text AS confirmed, wal_status
       FROM pg_replication_slots WHERE slot_name = $1`,
    [name],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    plugin: row.plugin,
    database: row.database,
    active: row.active,
    activePid: row.active_pid,
    confirmedFlush: row.confirmed ? parseLsn(row.confirmed) : 0n,
    walStatus: row.wal_status,
  };
}

/** Throws a ConnectError when the slot cannot be used by this connector. */
export function assertUsableSlot(slot: SlotState, config: CdcConfig): void {
  if (slot.plugin !== 'pgoutput') {
    throw new ConnectError(
      `replication slot "${config.slotName}" uses the ${slot.plugin} plugin; this connector needs pgoutput (drop the slot or choose another slot.name)`,
    );
  }
  if (slot.database !== config.dbname) {
    throw new ConnectError(
      `replication slot "${config.slotName}" belongs to database "${slot.database}", not "${config.dbname}"; choose another slot.name`,
    );
  }
  if (slot.walStatus === 'lost') {
    throw new ConnectError(
      `replication slot "${config.slotName}" has lost required WAL (wal_status=lost; max_slot_wal_keep_size was exceeded): changes since its position are gone. Drop the slot and restart with snapshot.mode=when_needed or always`,
    );
  }
}

export interface CreatedSlot {
  readonly consistentPoint: Lsn;
  /** The exported snapshot's name, valid while `connection` stays open and idle. */
  readonly snapshotName: string | null;
}

/** CREATE_REPLICATION_SLOT on a replication connection; with `exportSnapshot` the connection must stay open until imported. */
export async function createSlot(
  replication: pg.Client,
  name: string,
  exportSnapshot: boolean,
): Promise<CreatedSlot> {
  const { rows } = await replication.query<{ consistent_point: string; snapshot_name: string | null }>(
    `CREATE_REPLICATION_SLOT "${name}" LOGICAL pgoutput ${exportSnapshot ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT'}`,
  );
  const row = rows[0]!;
  return { consistentPoint: parseLsn(row.consistent_point), snapshotName: row.snapshot_name };
}

/** Drops the slot, waiting (up to `timeoutMs`) for a just-closed stream's server process to release it. */
export async function dropSlot(client: pg.Client, name: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await client.query<{ active: boolean }>(
      'SELECT active FROM pg_replication_slots WHERE slot_name = $1',
      [name],
    );
    if (rows.length === 0) return;
    if (!rows[0]!.active) {
      await client.query('SELECT pg_drop_replication_slot($1)', [name]);
      return;
    }
    if (Date.now() > deadline) throw new Error(`replication slot "${name}" is still in use`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Makes the publication match `publication.autocreate.mode`; `tables` are the captured tables. */
export async function ensurePublication(
  client: pg.Client,
  config: CdcConfig,
  tables: readonly { schema: string; table: string }[],
): Promise<void> {
  const name = config.publicationName;
  const { rows } = await client.query<{ all: boolean }>(
    'SELECT puballtables AS all FROM pg_publication WHERE pubname = $1',
    [name],
  );
  const exists = rows.length > 0;
  const tableList = tables.map((t) => `${ident(t.schema)}.${ident(t.table)}`).join(', ');
  switch (config.publicationMode) {
    case 'disabled':
      if (!exists) {
        throw new ConnectError(
          `publication "${name}" does not exist in database "${config.dbname}" and publication.autocreate.mode is disabled: create it (CREATE PUBLICATION ${ident(name)} FOR ALL TABLES) or set publication.autocreate.mode to all_tables or filtered`,
        );
      }
      return;
    case 'all_tables':
      if (!exists) await client.query(`CREATE PUBLICATION ${ident(name)} FOR ALL TABLES`);
      return;
    case 'no_tables':
      if (!exists) await client.query(`CREATE PUBLICATION ${ident(name)}`);
      return;
    case 'filtered':
      if (!exists) {
        await client.query(
          tables.length > 0
            ? `CREATE PUBLICATION ${ident(name)} FOR TABLE ${tableList}`
            : `CREATE PUBLICATION ${ident(name)}`,
        );
      } else if (rows[0]!.all) {
        throw new ConnectError(
          `publication "${name}" is FOR ALL TABLES; publication.autocreate.mode=filtered cannot narrow it (drop it or use all_tables)`,
        );
      } else if (tables.length > 0) {
        await client.query(`ALTER PUBLICATION ${ident(name)} SET TABLE ${tableList}`);
      }
      return;
  }
}
