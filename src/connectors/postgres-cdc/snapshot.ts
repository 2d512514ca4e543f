/**
 * The initial snapshot: every captured table read in one REPEATABLE READ transaction — on the
 * replication slot's exported snapshot when the slot was just created (so streaming from the slot's
 * consistent point has neither gap nor duplicate), otherwise on a fresh snapshot whose visibility
 * (`pg_current_snapshot()`) lets streaming skip the transactions the snapshot already saw. Rows come
 * through a server-side cursor, `snapshot.fetch.size` at a time, as text, and become `op: "r"`
 * records, at most `max.batch.size` per poll, with Debezium's snapshot markers (first, first_in_data_collection, true,
 * last_in_data_collection, last).
 */
import type pg from 'pg';
import type { SourceRecord, Struct } from '../../connect/api/index.ts';
import { envelope, type SnapshotMarker, sourceStruct } from './envelope.ts';
import { type Lsn, parseLsn } from './lsn.ts';
import type { TableSchema } from './table-schema.ts';

const RAW_TEXT = { getTypeParser: () => (value: string) => value };

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Which transactions a snapshot saw: xmin/xmax/in-progress list of `pg_current_snapshot()` (32-bit xids). */
export interface SnapshotVisibility {
  readonly xmin: number;
  readonly xmax: number;
  readonly inProgress: ReadonlySet<number>;
  /** WAL position after the snapshot was taken: transactions committing later were not seen. */
  readonly lsn: Lsn;
}

/** xid a precedes b, modulo 2^32 (PostgreSQL's TransactionIdPrecedes). */
function precedes(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function visibleIn(snapshot: SnapshotVisibility, xid: number): boolean {
  if (precedes(xid, snapshot.xmin)) return true;
  if (!precedes(xid, snapshot.xmax)) return false;
  return !snapshot.inProgress.has(xid);
}

export interface SnapshotContext {
  readonly serverName: string;
  readonly db: string;
  readonly version: string;
  readonly sourcePartition: Record<string, string>;
}

export class SnapshotReader {
  private tableIndex = 0;
  private cursorOpen = false;
  /** The last row read, returned once the next row (or the end) tells its snapshot marker. */
  private pendingTable: TableSchema | null = null;
  private pendingRow: unknown[] = [];
  private first = true;
  private firstInTable = true;
  private done = false;
  /** The next FETCH, sent before the current rows are converted so the server works meanwhile. */
  private prefetch: Promise<pg.QueryResult> | null = null;
  /** The current fetch's rows not yet returned (from `rowsAt`); `rowsEndTable`: its table ends with them. */
  private rows: unknown[][] | null = null;
  private rowsAt = 0;
  private rowsEndTable = false;
  txId = 0;
  /** The position streaming continues from (the slot's consistent point, or the WAL position read in the snapshot). */
  lsn: Lsn = 0n;
  visibility: SnapshotVisibility | null = null;
  private sequence: string | null = null;

  private readonly client: pg.Client;
  private readonly tables: readonly TableSchema[];
  private readonly fetchSize: number;
  private readonly context: SnapshotContext;
  /** Most records one `next()` returns (the task's `max.batch.size`, as Debezium's queue hands out). */
  private readonly maxRecords: number;

  constructor(
    client: pg.Client,
    tables: readonly TableSchema[],
    fetchSize: number,
    context: SnapshotContext,
    maxRecords = fetchSize,
  ) {
    this.client = client;
    this.tables = tables;
    this.fetchSize = fetchSize;
    this.context = context;
    this.maxRecords = Math.max(1, maxRecords);
  }

  /** Opens the snapshot transaction (on the exported snapshot when named). */
  async begin(exportedSnapshot: string | null, consistentPoint: Lsn | null): Promise<void> {
    await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    if (exportedSnapshot) await this.client.query(`SET TRANSACTION SNAPSHOT '${exportedSnapshot}'`);
    const { rows } = await this.client.query<{ snap: string; lsn: string; tx: string }>(
      'SELECT pg_current_snapshot()::text AS snap, pg_current_wal_lsn()::text AS lsn, txid_current()::text AS tx',
    );
    const row = rows[0]!;
    this.txId = Number(BigInt(row.tx) & 0xffffffffn);
    const [xmin = '0', xmax = '0', xip = ''] = row.snap.split(':');
    const lsnText = row.lsn;
    this.lsn = consistentPoint ?? parseLsn(lsnText);
    this.visibility = exportedSnapshot
      ? null
      : {
          xmin: Number(BigInt(xmin) & 0xffffffffn),
          xmax: Number(BigInt(xmax) & 0xffffffffn),
          inProgress: new Set(xip === '' ? [] : xip.split(',').map((x) => Number(BigInt(x) & 0xffffffffn))),
          lsn: parseLsn(lsnText),
        };
  }

  get finished(): boolean {
    return this.done;
  }

  /** The next records (up to `maxRecords`), or an empty array when the snapshot is complete. */
  async next(): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    while (!this.done && out.length === 0) {
      const table = this.tables[this.tableIndex];
      if (!table) {
        if (this.pendingTable) out.push(this.record(this.pendingTable, this.pendingRow, 'last', true));
        this.pendingTable = null;
        this.pendingRow = [];
        await this.client.query('COMMIT');
        this.done = true;
        break;
      }
      if (!this.cursorOpen && this.rows === null) {
        const columns = table.spec.columns.map((c) => ident(c.name)).join(', ');
        await this.client.query(
          `DECLARE samsa_snapshot NO SCROLL CURSOR FOR SELECT ${columns || 'NULL'} FROM ${ident(table.spec.schema)}.${ident(table.spec.table)}`,
        );
        this.cursorOpen = true;
        this.firstInTable = true;
      }
      if (this.rows === null) {
        const result = await (this.prefetch ?? this.fetch());
        this.rows = result.rows as unknown[][];
        this.rowsAt = 0;
        this.rowsEndTable = result.rows.length < this.fetchSize;
        this.prefetch = this.rowsEndTable ? null : this.fetch();
      }
      // At most maxRecords per call: the rest of the fetch waits as rows (a few strings each),
      // lighter to hold than the records they become.
      const rows = this.rows;
      let at = this.rowsAt;
      while (at < rows.length && out.length < this.maxRecords) {
        const row = rows[at++]!;
        const pendingTable = this.pendingTable;
        if (pendingTable) {
          const sameTable = pendingTable === table;
          out.push(this.record(pendingTable, this.pendingRow, this.marker(sameTable), false));
        }
        this.pendingTable = table;
        this.pendingRow = row;
      }
      this.rowsAt = at;
      if (at >= rows.length) {
        this.rows = null;
        if (this.rowsEndTable) {
          await this.client.query('CLOSE samsa_snapshot');
          this.cursorOpen = false;
          this.tableIndex++;
        }
      }
    }
    return out;
  }

  private fetch(): Promise<pg.QueryResult> {
    return this.client.query({
      text: `FETCH ${this.fetchSize} FROM samsa_snapshot`,
      rowMode: 'array',
      types: RAW_TEXT,
    });
  }

  /** The marker of the pending row, now that the next row's table is known. */
  private marker(nextInSameTable: boolean): SnapshotMarker {
    let marker: SnapshotMarker;
    if (!nextInSameTable) marker = 'last_in_data_collection';
    else if (this.first) marker = 'first';
    else if (this.firstInTable) marker = 'first_in_data_collection';
    else marker = 'true';
    this.first = false;
    this.firstInTable = !nextInSameTable;
    return marker;
  }

  private record(table: TableSchema, row: unknown[], marker: SnapshotMarker, last: boolean): SourceRecord {
    const cells = row as (string | null)[];
    const tsUs = Date.now() * 1000;
    const after: Struct = table.row(cells);
    const source = sourceStruct(
      {
        version: this.context.version,
        serverName: this.context.serverName,
        db: this.context.db,
        schema: table.spec.schema,
        table: table.spec.table,
        tsUs,
        snapshot: marker,
        lastCommitLsn: null,
        lsn: this.lsn,
        txId: this.txId,
      },
      (this.sequence ??= JSON.stringify([null, this.lsn.toString()])),
    );
    return {
      topic: table.topic,
      kafkaPartition: null,
      keySchema: table.keySchema,
      key: table.key(cells),
      valueSchema: table.envelopeSchema,
      value: envelope('r', null, after, source),
      timestamp: null,
      headers: [],
      sourcePartition: this.context.sourcePartition,
      sourceOffset: {
        snapshot: true,
        last_snapshot_record: last,
        lsn: Number(this.lsn),
        txId: this.txId,
        ts_usec: tsUs,
      },
    };
  }

  /** Ends the transaction early (task stopping mid-snapshot). */
  async abort(): Promise<void> {
    if (!this.done) await this.client.query('ROLLBACK').catch(() => {});
    this.done = true;
  }
}
