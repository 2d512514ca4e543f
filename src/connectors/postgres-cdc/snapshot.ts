/**
 * The initial snapshot: every captured table read in one REPEATABLE READ transaction — on the
 * replication slot's exported snapshot when the slot was just created (so streaming from the slot's
 * consistent point has neither gap nor duplicate), otherwise on a fresh snapshot whose visibility
 * (`pg_current_snapshot()`) lets streaming skip the transactions the snapshot already saw. Each
 * table's rows come through one `COPY (SELECT ...) TO STDOUT` in text format (the stream's
 * backpressure stops reading the socket while records wait, so memory stays bounded), cut into
 * values by copy-text.ts without an object per row, and become `op: "r"` records, `max.batch.size`
 * per poll, with Debezium's snapshot markers (first, first_in_data_collection, true,
 * last_in_data_collection, last).
 */
import type pg from 'pg';
import { type CopyToStreamQuery, to as copyTo } from 'pg-copy-streams';
import type { SourceRecord, Struct } from '../../connect/api/index.ts';
import { CopyTextRows } from './copy-text.ts';
import { envelope, type SnapshotMarker, sourceStruct } from './envelope.ts';
import { type Lsn, parseLsn } from './lsn.ts';
import type { TableSchema } from './table-schema.ts';

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
  /** The current table's `COPY ... TO STDOUT`, null between tables. */
  private copy: CopyToStreamQuery | null = null;
  private copyError: Error | null = null;
  /** Wakes `next()` waiting for the COPY's next bytes (or its end or error). */
  private wake: (() => void) | null = null;
  private readonly rows = new CopyTextRows();
  /** Values per COPY row: the table's columns, or the one NULL of a table without columns. */
  private width = 1;
  /** The last row read, returned once the next row (or the end) tells its snapshot marker. */
  private pendingTable: TableSchema | null = null;
  private pendingRow: (string | null)[] = [];
  /** The array the next row is read into (the pending row's and this one swap: no array per row). */
  private spareRow: (string | null)[] = [];
  private first = true;
  private firstInTable = true;
  private done = false;
  txId = 0;
  /** The position streaming continues from (the slot's consistent point, or the WAL position read in the snapshot). */
  lsn: Lsn = 0n;
  visibility: SnapshotVisibility | null = null;
  private sequence: string | null = null;

  private readonly client: pg.Client;
  private readonly tables: readonly TableSchema[];
  private readonly context: SnapshotContext;
  /** Most records one `next()` returns (the task's `max.batch.size`, as Debezium's queue hands out). */
  private readonly maxRecords: number;

  constructor(
    client: pg.Client,
    tables: readonly TableSchema[],
    context: SnapshotContext,
    maxRecords: number,
  ) {
    this.client = client;
    this.tables = tables;
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

  /**
   * The next records (`maxRecords`, fewer only at the snapshot's end), or an empty array when the
   * snapshot is complete.
   */
  async next(): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    while (!this.done && out.length < this.maxRecords) {
      const table = this.tables[this.tableIndex];
      if (!table) {
        if (this.pendingTable) out.push(this.record(this.pendingTable, this.pendingRow, 'last', true));
        this.pendingTable = null;
        await this.client.query('COMMIT');
        this.done = true;
        break;
      }
      const copy = this.copy ?? this.startCopy(table);
      const width = this.width;
      const rows = this.rows;
      while (out.length < this.maxRecords) {
        const cells = this.spareRow;
        if (!rows.next(cells, width)) break;
        const pendingTable = this.pendingTable;
        if (pendingTable) {
          out.push(this.record(pendingTable, this.pendingRow, this.marker(pendingTable === table), false));
        }
        this.spareRow = this.pendingRow;
        this.pendingRow = cells;
        this.pendingTable = table;
      }
      if (out.length >= this.maxRecords) break;
      const chunk = copy.read() as Buffer | null;
      if (chunk !== null) rows.push(chunk);
      else if (this.copyError) throw this.copyError;
      else if (copy.readableEnded) {
        if (rows.partial)
          throw new Error(`COPY of ${table.spec.schema}.${table.spec.table} ended within a row`);
        this.copy = null;
        this.tableIndex++;
      } else await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return out;
  }

  /** Starts reading a table: `COPY (SELECT <columns> FROM <table>) TO STDOUT`, rows as text. */
  private startCopy(table: TableSchema): CopyToStreamQuery {
    const columns = table.spec.columns.map((c) => ident(c.name)).join(', ');
    const copy = this.client.query(
      copyTo(
        `COPY (SELECT ${columns || 'NULL'} FROM ${ident(table.spec.schema)}.${ident(table.spec.table)}) TO STDOUT`,
      ),
    );
    const wake = (): void => {
      const resolve = this.wake;
      this.wake = null;
      resolve?.();
    };
    copy.on('readable', wake);
    copy.on('end', wake);
    copy.on('error', (err: Error) => {
      this.copyError = err;
      wake();
    });
    this.copy = copy;
    this.copyError = null;
    this.width = Math.max(1, table.spec.columns.length);
    // The pending row (the previous table's last) keeps its array; the next rows get arrays of this width.
    this.spareRow = new Array<string | null>(this.width).fill(null);
    this.firstInTable = true;
    return copy;
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

  private record(
    table: TableSchema,
    cells: readonly (string | null)[],
    marker: SnapshotMarker,
    last: boolean,
  ): SourceRecord {
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

  /**
   * Ends the transaction early (task stopping mid-snapshot). During a COPY no ROLLBACK can be sent
   * (it would wait behind the COPY's unread rows): the caller's closing of the connection ends it.
   */
  async abort(): Promise<void> {
    if (!this.done && this.copy === null) await this.client.query('ROLLBACK').catch(() => {});
    this.done = true;
    this.copy?.destroy();
    this.copy = null;
    this.wake?.();
  }
}
