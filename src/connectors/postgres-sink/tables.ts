/**
 * The destination tables: their columns and primary key (read from the catalog and cached), and
 * the DDL of `auto.create` (CREATE TABLE with the key as PRIMARY KEY, NOT NULL for required fields)
 * and `auto.evolve` (ALTER TABLE ... ADD COLUMN, always nullable, for fields the table lacks).
 * Columns are never dropped or retyped.
 */
import type pg from 'pg';
import type { SinkConfig } from './config.ts';
import { type Column, type TableName, UnwritableRecordError } from './record.ts';
import { columnType, schemalessColumnType } from './sql-types.ts';

export interface TableInfo {
  readonly name: TableName;
  /** Column name → its type as format_type() writes it (e.g. `numeric(10,2)`, `integer[]`). */
  readonly columns: ReadonlyMap<string, string>;
  readonly primaryKey: readonly string[];
}

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(table: TableName): string {
  return table.schema ? `${ident(table.schema)}.${ident(table.name)}` : ident(table.name);
}

function label(table: TableName): string {
  return table.schema ? `${table.schema}.${table.name}` : table.name;
}

function typeOf(c: Column): string {
  const t = c.schema ? columnType(c.schema) : schemalessColumnType(c.value);
  if (!t)
    throw new UnwritableRecordError(`no PostgreSQL column type for field "${c.name}" (${c.schema?.type})`);
  return t;
}

export class Tables {
  private readonly cache = new Map<string, TableInfo | null>();

  async get(client: pg.Client, table: TableName): Promise<TableInfo | null> {
    const key = qualified(table);
    if (this.cache.has(key)) return this.cache.get(key)!;
    const { rows } = await client.query<{ name: string; type: string; pk: boolean }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
              EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY(i.indkey)) AS pk
         FROM pg_attribute a
        WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [key],
    );
    const info =
      rows.length === 0
        ? null
        : {
            name: table,
            columns: new Map(rows.map((r) => [r.name, r.type])),
            primaryKey: rows.filter((r) => r.pk).map((r) => r.name),
          };
    this.cache.set(key, info);
    return info;
  }

  forget(table: TableName): void {
    this.cache.delete(qualified(table));
  }

  /** The table, created or evolved as the config allows, able to hold `key` and `columns`. */
  async ensure(
    client: pg.Client,
    config: SinkConfig,
    table: TableName,
    key: readonly Column[],
    columns: readonly Column[],
  ): Promise<TableInfo> {
    let info = await this.get(client, table);
    if (!info) {
      if (!config.autoCreate) {
        throw new UnwritableRecordError(
          `table ${label(table)} does not exist and auto.create is disabled (create it or set auto.create=true)`,
        );
      }
      const defs = [
        ...key.map((c) => `${ident(c.name)} ${typeOf(c)} NOT NULL`),
        ...columns.map(
          (c) => `${ident(c.name)} ${typeOf(c)}${c.schema && !c.schema.optional ? ' NOT NULL' : ''}`,
        ),
      ];
      if (key.length > 0) defs.push(`PRIMARY KEY (${key.map((c) => ident(c.name)).join(', ')})`);
      if (table.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(table.schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${qualified(table)} (${defs.join(', ')})`);
      this.forget(table);
      info = (await this.get(client, table))!;
    }
    const missing = [...key, ...columns].filter((c) => !info!.columns.has(c.name));
    if (missing.length > 0) {
      if (!config.autoEvolve) {
        throw new UnwritableRecordError(
          `table ${label(table)} has no column(s) ${missing.map((c) => c.name).join(', ')} (add them or set auto.evolve=true)`,
        );
      }
      const adds = missing.map((c) => `ADD COLUMN IF NOT EXISTS ${ident(c.name)} ${typeOf(c)}`);
      await client.query(`ALTER TABLE ${qualified(table)} ${adds.join(', ')}`);
      this.forget(table);
      info = (await this.get(client, table))!;
    }
    return info;
  }
}
