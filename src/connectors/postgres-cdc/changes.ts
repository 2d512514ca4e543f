/**
 * Turns the decoded replication stream into Debezium change records, transaction by transaction:
 * Relation messages (re)build a table's schema (so `ALTER TABLE ... ADD COLUMN` shows in the next
 * records), inserts/updates/deletes/truncates become `c`/`u`/`d`/`t` events (a primary key change
 * becomes a delete, its tombstone and a create, with Debezium's `__debezium.newkey`/`oldkey`
 * headers), and a delete is followed by a tombstone.
 *
 * Each record's offset carries `lsn_commit`, the position the slot may be confirmed at once this
 * record is in Kafka: the end of the last transaction all of whose records come at or before it.
 * Records of a transaction are released at its commit (pgoutput sends a transaction only once it
 * committed), except that a transaction larger than the queue is released in chunks.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ConnectHeader, SourceRecord, Struct } from '../../connect/api/index.ts';
import { loadTypes, readTable } from './catalog.ts';
import type { CdcConfig } from './config.ts';
import { envelope, sourceStruct } from './envelope.ts';
import { type Lsn, maxLsn } from './lsn.ts';
import type { PgOutputMessage, RelationColumn } from './pgoutput.ts';
import { type SnapshotVisibility, visibleIn } from './snapshot.ts';
import { TableSchema, type TableSpec } from './table-schema.ts';
import type { TypeRegistry } from './types.ts';

interface Relation {
  readonly schema: TableSchema | null;
}

interface OpenTransaction {
  readonly xid: number;
  readonly commitTimeUs: number;
  readonly finalLsn: Lsn;
  readonly skip: boolean;
  records: SourceRecord[];
}

export interface ChangeProcessorOptions {
  readonly config: CdcConfig;
  readonly registry: TypeRegistry;
  /** A regular connection for catalog reads. */
  readonly catalog: pg.Client;
  readonly version: string;
  readonly sourcePartition: Record<string, string>;
  readonly logger: Logger;
  /** Transactions this snapshot already saw are skipped (snapshot taken without an exported snapshot). */
  readonly visibility: SnapshotVisibility | null;
  /** The end of the last transaction already emitted (Debezium's last commit LSN). */
  readonly lastCommitEnd: Lsn;
  /** Next record sequence number (offsets carry it so the task knows which record was acknowledged). */
  nextSeq(): number;
}

export class ChangeProcessor {
  private readonly options: ChangeProcessorOptions;
  private readonly relations = new Map<number, Relation>();
  private tx: OpenTransaction | null = null;
  /** End of the last transaction whose messages were all processed. */
  lastCommitEnd: Lsn;
  /** Records ready for poll, in commit order. */
  readonly ready: SourceRecord[] = [];
  /** Latest keepalive position seen while no transaction was open. */
  keepaliveLsn: Lsn = 0n;
  private waiters: (() => void)[] = [];
  private drainWaiters: (() => void)[] = [];

  constructor(options: ChangeProcessorOptions) {
    this.options = options;
    this.lastCommitEnd = options.lastCommitEnd;
  }

  get inTransaction(): boolean {
    return this.tx !== null;
  }

  /**
   * Handles one message; a promise only when the stream must wait: a Relation message reads the
   * catalog, or the ready queue is full (backpressure).
   */
  handle(lsn: Lsn, message: PgOutputMessage): Promise<void> | undefined {
    switch (message.tag) {
      case 'begin': {
        const visibility = this.options.visibility;
        const skip =
          visibility !== null && message.finalLsn < visibility.lsn && visibleIn(visibility, message.xid);
        this.tx = {
          xid: message.xid,
          commitTimeUs: message.commitTimeUs,
          finalLsn: message.finalLsn,
          skip,
          records: [],
        };
        return;
      }
      case 'commit':
        this.commit(message.endLsn);
        break;
      case 'relation':
        return this.relation(message.relid, message.schema, message.name, message.columns);
      case 'insert':
      case 'update':
      case 'delete':
        this.change(lsn, message);
        break;
      case 'truncate':
        this.truncate(lsn, message.relids);
        break;
      default:
        return;
    }
    if (this.tx && this.tx.records.length >= this.options.config.maxQueueSize) {
      // A very large transaction: release what we have (its lsn_commit stays at the previous commit).
      this.release(this.tx.records);
      this.tx.records = [];
    }
    if (this.ready.length >= this.options.config.maxQueueSize) {
      return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    }
    return undefined;
  }

  keepalive(walEnd: Lsn): void {
    if (!this.tx && walEnd > this.keepaliveLsn) this.keepaliveLsn = walEnd;
  }

  /** Up to `max` ready records, oldest first. */
  take(max: number): SourceRecord[] {
    const out = this.ready.splice(0, max);
    if (this.ready.length < this.options.config.maxQueueSize) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
    return out;
  }

  /** Resolves when records are ready or after `ms`. */
  async waitForRecords(ms: number, signal: AbortSignal): Promise<void> {
    if (this.ready.length > 0 || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.waiters.push(done);
    });
  }

  /** Forgets a partly received transaction (the stream broke; it is replayed from lastCommitEnd). */
  resetTransaction(): void {
    this.tx = null;
  }

  /** Wakes anyone waiting to add records (the task is stopping). */
  releaseWaiters(): void {
    for (const w of this.drainWaiters.splice(0)) w();
    for (const w of this.waiters.splice(0)) w();
  }

  /** The latest position that is safe to confirm once every queued record is in Kafka. */
  safePosition(): Lsn {
    const queued = this.ready.length > 0 ? lsnCommitOf(this.ready[this.ready.length - 1]!) : 0n;
    if (this.tx) return queued > 0n ? queued : this.lastCommitEnd;
    return maxLsn(queued, maxLsn(this.lastCommitEnd, this.keepaliveLsn));
  }

  private release(records: SourceRecord[]): void {
    if (records.length === 0) return;
    for (const r of records) this.ready.push(r);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private commit(endLsn: Lsn): void {
    const tx = this.tx;
    this.tx = null;
    if (tx && tx.records.length > 0) {
      // The transaction's records are still only ours (released below): no copy needed.
      (tx.records[tx.records.length - 1]!.sourceOffset as Record<string, unknown>).lsn_commit =
        Number(endLsn);
      this.release(tx.records);
    }
    if (endLsn > this.lastCommitEnd) this.lastCommitEnd = endLsn;
  }

  private async relation(
    relid: number,
    schemaName: string,
    name: string,
    columns: RelationColumn[],
  ): Promise<void> {
    const { config, catalog, registry } = this.options;
    if (!config.filters.table(schemaName, name)) {
      this.relations.set(relid, { schema: null });
      return;
    }
    // Types may be new (an enum created since start) or changed (ALTER TYPE ... ADD VALUE).
    await loadTypes(catalog, registry);
    const current = await readTable(catalog, relid);
    const byName = new Map(current?.columns.map((c) => [c.name, c]) ?? []);
    const keys = new Set(current?.keyColumns ?? []);
    const spec: TableSpec = {
      oid: relid,
      schema: schemaName,
      table: name,
      columns: columns.map((c) => ({
        name: c.name,
        typeOid: c.typeOid,
        typmod: c.typmod,
        notNull: byName.get(c.name)?.notNull ?? false,
        defaultExpr: byName.get(c.name)?.defaultExpr ?? null,
      })),
      keyColumns: columns.filter((c) => keys.has(c.name)).map((c) => c.name),
      replicaIdentity: current?.replicaIdentity ?? 'd',
    };
    const schema = new TableSchema(spec, config.topicPrefix, registry, config, config.filters);
    this.relations.set(relid, { schema });
    this.options.logger.debug(
      { table: `${schemaName}.${name}`, columns: schema.valueColumns },
      'table schema',
    );
  }

  private source(table: TableSchema, lsn: Lsn): Struct {
    const tx = this.tx!;
    return sourceStruct({
      version: this.options.version,
      serverName: this.options.config.topicPrefix,
      db: this.options.config.dbname,
      schema: table.spec.schema,
      table: table.spec.table,
      tsUs: tx.commitTimeUs,
      snapshot: 'false',
      lastCommitLsn: this.lastCommitEnd === 0n ? null : this.lastCommitEnd,
      lsn,
      txId: tx.xid,
    });
  }

  private record(
    table: TableSchema,
    lsn: Lsn,
    key: Struct | null,
    value: Struct | null,
    headers: ConnectHeader[] = [],
  ): SourceRecord {
    const tx = this.tx!;
    return {
      topic: table.topic,
      kafkaPartition: null,
      keySchema: table.keySchema,
      key,
      valueSchema: value === null ? null : table.envelopeSchema,
      value,
      timestamp: null,
      headers,
      sourcePartition: this.options.sourcePartition,
      sourceOffset: {
        lsn_proc: Number(lsn),
        lsn: Number(lsn),
        txId: tx.xid,
        ts_usec: tx.commitTimeUs,
        lsn_commit: Number(this.lastCommitEnd),
        seq: this.options.nextSeq(),
      },
    };
  }

  private change(lsn: Lsn, message: Extract<PgOutputMessage, { tag: 'insert' | 'update' | 'delete' }>): void {
    const tx = this.tx;
    if (!tx || tx.skip) return;
    const table = this.relations.get(message.relid)?.schema;
    if (!table) return;
    const skipped = this.options.config.skipped;
    const out = tx.records;
    if (message.tag === 'insert') {
      if (skipped.has('c')) return;
      const key = table.key(message.tuple);
      out.push(
        this.record(table, lsn, key, envelope('c', null, table.row(message.tuple), this.source(table, lsn))),
      );
      return;
    }
    if (message.tag === 'delete') {
      if (skipped.has('d')) return;
      const cells = (message.old ?? message.key)!;
      this.pushDelete(table, lsn, table.key(cells), table.row(cells));
      return;
    }
    // update
    const oldCells = message.old ?? message.key;
    const newKey = table.key(message.tuple);
    const oldKey = oldCells ? table.key(oldCells) : null;
    if (oldKey !== null && newKey !== null && !sameKey(oldKey, newKey)) {
      // Primary key change: delete (+ tombstone) under the old key, create under the new one.
      const keyHeader = (k: Struct, name: string): ConnectHeader => ({
        key: name,
        value: k,
        schema: table.keySchema,
      });
      if (!skipped.has('d')) {
        this.pushDelete(table, lsn, oldKey, table.row(oldCells!), [keyHeader(newKey, '__debezium.newkey')]);
      }
      if (!skipped.has('c')) {
        const after = table.row(message.tuple, message.old);
        out.push(
          this.record(table, lsn, newKey, envelope('c', null, after, this.source(table, lsn)), [
            keyHeader(oldKey, '__debezium.oldkey'),
          ]),
        );
      }
      return;
    }
    if (skipped.has('u')) return;
    const before = message.old ? table.row(message.old) : null;
    const after = table.row(message.tuple, message.old);
    out.push(this.record(table, lsn, newKey, envelope('u', before, after, this.source(table, lsn))));
  }

  private pushDelete(
    table: TableSchema,
    lsn: Lsn,
    key: Struct | null,
    before: Struct,
    headers: ConnectHeader[] = [],
  ): void {
    const out = this.tx!.records;
    out.push(this.record(table, lsn, key, envelope('d', before, null, this.source(table, lsn)), headers));
    if (this.options.config.tombstonesOnDelete && key !== null) out.push(this.record(table, lsn, key, null));
  }

  private truncate(lsn: Lsn, relids: number[]): void {
    const tx = this.tx;
    if (!tx || tx.skip || this.options.config.skipped.has('t')) return;
    for (const relid of relids) {
      const table = this.relations.get(relid)?.schema;
      if (!table) continue;
      const value = envelope('t', null, null, this.source(table, lsn));
      tx.records.push({ ...this.record(table, lsn, null, value), keySchema: null });
    }
  }
}

function sameKey(a: Struct, b: Struct): boolean {
  for (const k of Object.keys(a)) {
    const x = a[k];
    const y = b[k];
    if (Buffer.isBuffer(x) && Buffer.isBuffer(y) ? !x.equals(y) : String(x) !== String(y)) return false;
  }
  return true;
}

export function lsnCommitOf(record: SourceRecord): Lsn {
  const v = record.sourceOffset.lsn_commit;
  return typeof v === 'number' ? BigInt(v) : 0n;
}
