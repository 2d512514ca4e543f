/**
 * Writes a batch of row operations in one transaction. With a key (upsert, update, and deletes),
 * operations on the same row collapse to the last one, so each key is written once and a redelivered
 * batch leaves the table as it was: idempotent. Rows are loaded with COPY — straight into the table
 * for insert mode, otherwise into a temporary table and merged with `INSERT ... SELECT ... ON
 * CONFLICT (key) DO UPDATE` (upsert) or `UPDATE ... FROM` (update). COPY plus merge measured faster
 * than multi-row INSERT ... VALUES and than unnest() of text arrays; unnest() of arrays typed as the
 * columns costs PostgreSQL about the same and the client more (bench/connect/sink-write-methods.ts).
 * Rows arrive as column texts in their shape's order (record.ts); the COPY text is built from them.
 * Deletes use `DELETE ... WHERE (key) IN (SELECT ... FROM unnest(...))`.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SinkRecord } from '../../connect/api/index.ts';
import type { SinkConfig } from './config.ts';
import {
  type ColumnSpec,
  type RowOp,
  type RowShape,
  type TableName,
  type WriteOp,
  writeColumns,
} from './record.ts';
import { ident, qualified, type TableInfo, type Tables } from './tables.ts';

/** Where a record was read from: what an error names when no dead-letter reporter needs the record. */
export type RecordPosition = Pick<SinkRecord, 'topic' | 'kafkaPartition' | 'kafkaOffset'>;

export interface Entry {
  readonly op: RowOp;
  /**
   * The record itself when the task reports unwritable records (a dead-letter queue gets it),
   * else only its position: a buffered entry then keeps no converted value alive (the buffer
   * holds up to two batches, long enough for V8 to move whole records to the old generation).
   */
  readonly record: SinkRecord | RecordPosition;
  /** The put that added it (a put failing with RetriableError takes its own entries back). */
  readonly put: number;
}

type DeleteOp = Extract<RowOp, { kind: 'delete' }>;

interface TablePlan {
  table: TableName;
  truncate: boolean;
  /** Keyed modes: key → last operation; insert mode: in order. */
  ops: Map<string, Entry> | Entry[];
}

/** A row's key texts as one string, the same for a write and a delete of the same row. */
function keyIdentity(texts: readonly (string | null | undefined)[], n: number): string {
  if (n === 1) {
    const text = texts[0];
    return text === null || text === undefined ? '\u0000' : text;
  }
  return JSON.stringify(texts.slice(0, n));
}

function keyOf(op: WriteOp | DeleteOp): string {
  return op.kind === 'write'
    ? keyIdentity(op.texts, op.shape.key.length)
    : keyIdentity(
        op.key.map((c) => c.text),
        op.key.length,
      );
}

const COPY_SPECIAL = /[\\\t\n\r]/;

function copyEscape(text: string): string {
  if (!COPY_SPECIAL.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/**
 * Whether a column's texts can never hold a character COPY escapes: numbers and booleans (with or
 * without a logical name: dates, times and durations are digits, dashes, colons, dots and letters).
 */
function plainColumn(spec: ColumnSpec): boolean {
  switch (spec.schema?.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float32':
    case 'float64':
    case 'boolean':
      return true;
    default:
      return false;
  }
}

/** Per shape: which of its columns need no COPY escaping. */
const plainColumns = new WeakMap<RowShape, boolean[]>();

type Utf8Buffer = Buffer & { utf8Write(text: string, offset: number): number };

const SCRATCH_START = 256 * 1024;
const SCRATCH_KEEP = 4 * 1024 * 1024;
/** Where COPY data is built (synchronously, then copied out): no string per row or column. */
let scratch = Buffer.allocUnsafeSlow(SCRATCH_START) as Utf8Buffer;

/** The rows as COPY data: tab-separated texts, `\\N` for NULL, a newline after each row. */
export function copyData(rows: readonly WriteOp[]): Buffer {
  const shape = rows[0]!.shape;
  let plain = plainColumns.get(shape);
  if (plain === undefined) {
    plain = [...shape.key, ...shape.columns].map(plainColumn);
    plainColumns.set(shape, plain);
  }
  let buf = scratch;
  let pos = 0;
  for (let i = 0; i < rows.length; i++) {
    const texts = rows[i]!.texts;
    for (let j = 0; j < texts.length; j++) {
      const text = texts[j];
      const field = text === null || text === undefined ? '\\N' : plain[j] === true ? text : copyEscape(text);
      // A UTF-16 unit is at most 3 bytes of UTF-8; one more for the tab, one for the newline.
      if (pos + field.length * 3 + 2 > buf.length) {
        const bigger = Buffer.allocUnsafeSlow(
          Math.max(buf.length * 2, pos + field.length * 3 + 2),
        ) as Utf8Buffer;
        buf.copy(bigger, 0, 0, pos);
        buf = bigger;
      }
      if (j > 0) buf[pos++] = 0x09;
      if (field.length > 0) pos += buf.utf8Write(field, pos);
    }
    if (pos + 1 > buf.length) {
      const bigger = Buffer.allocUnsafeSlow(buf.length * 2) as Utf8Buffer;
      buf.copy(bigger, 0, 0, pos);
      buf = bigger;
    }
    buf[pos++] = 0x0a;
  }
  // The COPY stream keeps what it is given until it is sent: it gets its own copy.
  const out = Buffer.allocUnsafe(pos);
  buf.copy(out, 0, 0, pos);
  scratch = buf.length > SCRATCH_KEEP ? (Buffer.allocUnsafeSlow(SCRATCH_START) as Utf8Buffer) : buf;
  return out;
}

/** Table names as SQL, per table object (records of a topic share one). */
const qualifiedNames = new WeakMap<TableName, string>();

function qualifiedName(table: TableName): string {
  let name = qualifiedNames.get(table);
  if (name === undefined) {
    name = qualified(table);
    qualifiedNames.set(table, name);
  }
  return name;
}

/** The entries grouped by table, collapsed per key in keyed modes; truncates clear what came before. */
export function plan(config: SinkConfig, entries: readonly Entry[]): TablePlan[] {
  const tables = new Map<string, TablePlan>();
  const keyed = config.insertMode !== 'insert';
  for (const entry of entries) {
    const id = qualifiedName(entry.op.table);
    let p = tables.get(id);
    if (!p) {
      p = { table: entry.op.table, truncate: false, ops: keyed ? new Map() : [] };
      tables.set(id, p);
    }
    if (entry.op.kind === 'truncate') {
      p.truncate = true;
      p.ops = keyed ? new Map() : [];
    } else if (p.ops instanceof Map) {
      const k = keyOf(entry.op);
      p.ops.delete(k); // re-insert so the map keeps last-write order
      p.ops.set(k, entry);
    } else {
      p.ops.push(entry);
    }
  }
  return [...tables.values()];
}

export class BatchWriter {
  private readonly config: SinkConfig;
  private readonly tables: Tables;
  private stage = 0;
  /** Per connection: destination and column list → its staging table. */
  private readonly stages = new WeakMap<pg.Client, Map<string, string>>();

  constructor(config: SinkConfig, tables: Tables) {
    this.config = config;
    this.tables = tables;
  }

  /** Prepares tables (DDL, outside the data transaction), then writes everything in one transaction. */
  async write(client: pg.Client, entries: readonly Entry[]): Promise<void> {
    const plans = plan(this.config, entries);
    const infos = new Map<string, TableInfo | null>();
    for (const p of plans) {
      const ops = p.ops instanceof Map ? [...p.ops.values()] : p.ops;
      let info = await this.tables.get(client, p.table);
      const checked = new Set<string>();
      for (const { op } of ops) {
        if (op.kind !== 'write') continue;
        const sig = op.shape.signature;
        if (checked.has(sig)) continue;
        checked.add(sig);
        const { key, columns } = writeColumns(op);
        info = await this.tables.ensure(client, this.config, p.table, key, columns);
      }
      infos.set(qualified(p.table), info);
    }
    await client.query('BEGIN');
    try {
      for (const p of plans) await this.writeTable(client, p, infos.get(qualified(p.table)) ?? null);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      // Staging tables created in this transaction are gone with it.
      this.stages.delete(client);
      throw err;
    }
  }

  private async writeTable(client: pg.Client, p: TablePlan, info: TableInfo | null): Promise<void> {
    const target = qualified(p.table);
    if (p.truncate && info) await client.query(`TRUNCATE ${target}`);
    const ops = p.ops instanceof Map ? [...p.ops.values()].map((e) => e.op) : p.ops.map((e) => e.op);
    if (ops.length === 0 || !info) return;
    if (p.ops instanceof Map) {
      const deletes = ops.filter((o): o is DeleteOp => o.kind === 'delete');
      const writes = ops.filter((o): o is WriteOp => o.kind === 'write');
      if (deletes.length > 0) await this.delete(client, target, info, deletes);
      for (const group of groupByColumns(writes)) await this.merge(client, target, group);
      return;
    }
    // insert mode: in order, consecutive runs of the same kind together.
    let run: RowOp[] = [];
    const flush = async (): Promise<void> => {
      if (run.length === 0) return;
      if (run[0]!.kind === 'delete') await this.delete(client, target, info, run as DeleteOp[]);
      else for (const group of groupByColumns(run as WriteOp[])) await this.copy(client, target, group);
      run = [];
    };
    for (const op of ops) {
      if (op.kind === 'truncate') continue;
      if (run.length > 0 && run[0]!.kind !== op.kind) await flush();
      run.push(op);
    }
    await flush();
  }

  /** COPY rows straight into `into`. */
  private async copy(client: pg.Client, into: string, rows: readonly WriteOp[]): Promise<void> {
    const shape = rows[0]!.shape;
    const names = [...shape.key, ...shape.columns].map((c) => ident(c.name));
    await pipeline(
      Readable.from([copyData(rows)]),
      client.query(copyFrom(`COPY ${into} (${names.join(', ')}) FROM STDIN`)),
    );
  }

  /** Upsert (or update) rows through a temporary table. */
  private async merge(client: pg.Client, target: string, rows: readonly WriteOp[]): Promise<void> {
    const shape = rows[0]!.shape;
    const keys = shape.key.map((c) => ident(c.name));
    const values = shape.columns.map((c) => ident(c.name));
    const all = [...keys, ...values];
    // One staging table per destination and column list, kept for the session and emptied at commit.
    let stages = this.stages.get(client);
    if (!stages) this.stages.set(client, (stages = new Map()));
    const id = `${target}\u0002${shape.signature}`;
    let stage = stages.get(id);
    if (!stage) {
      stage = `samsa_stage_${++this.stage}`;
      await client.query(
        `CREATE TEMP TABLE ${stage} ON COMMIT DELETE ROWS AS SELECT ${all.join(', ')} FROM ${target} WITH NO DATA`,
      );
      stages.set(id, stage);
    }
    await this.copy(client, stage, rows);
    if (this.config.insertMode === 'update') {
      if (values.length === 0) return;
      await client.query(
        `UPDATE ${target} AS t SET ${values.map((v) => `${v} = s.${v}`).join(', ')} FROM ${stage} AS s WHERE ${keys
          .map((k) => `t.${k} = s.${k}`)
          .join(' AND ')}`,
      );
      return;
    }
    const conflict = `ON CONFLICT (${keys.join(', ')}) ${
      values.length === 0
        ? 'DO NOTHING'
        : `DO UPDATE SET ${values.map((v) => `${v} = EXCLUDED.${v}`).join(', ')}`
    }`;
    await client.query(
      `INSERT INTO ${target} (${all.join(', ')}) SELECT ${all.join(', ')} FROM ${stage} ${conflict}`,
    );
  }

  private async delete(
    client: pg.Client,
    target: string,
    info: TableInfo,
    ops: readonly DeleteOp[],
  ): Promise<void> {
    const names = ops[0]!.key.map((c) => c.name);
    const arrays = names.map((_, i) => ops.map((o) => o.key[i]?.text ?? null));
    const casts = names.map((n, i) => `u.c${i}::${info.columns.get(n) ?? 'text'}`);
    await client.query(
      `DELETE FROM ${target} WHERE (${names.map(ident).join(', ')}) IN (SELECT ${casts.join(', ')} FROM unnest(${names
        .map((_, i) => `$${i + 1}::text[]`)
        .join(', ')}) AS u(${names.map((_, i) => `c${i}`).join(', ')}))`,
      arrays,
    );
  }
}

/** Consecutive writes with the same key and column names share one COPY. */
function groupByColumns(rows: readonly WriteOp[]): WriteOp[][] {
  const groups = new Map<string, WriteOp[]>();
  for (const r of rows) {
    const sig = r.shape.signature;
    let g = groups.get(sig);
    if (!g) groups.set(sig, (g = []));
    g.push(r);
  }
  return [...groups.values()];
}
