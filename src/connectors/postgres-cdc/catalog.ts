/**
 * What the connector reads from PostgreSQL's catalog: the server's readiness for logical decoding
 * (wal_level, version), the types (pg_type and enum labels), the captured tables and each table's
 * columns, key and replica identity. Partitioned parents are not captured (their leaf partitions
 * are, each on its own topic); stored generated columns are left out, as pgoutput does.
 */
import type pg from 'pg';
import { ConnectError } from '../../connect/api/index.ts';
import type { Filters } from './filters.ts';
import type { ColumnSpec, TableSpec } from './table-schema.ts';
import { TypeRegistry } from './types.ts';

export interface ServerInfo {
  readonly version: number;
  readonly walLevel: string;
}

export async function serverInfo(client: pg.Client): Promise<ServerInfo> {
  const { rows } = await client.query<{ v: string; wal: string }>(
    "SELECT current_setting('server_version_num') AS v, current_setting('wal_level') AS wal",
  );
  return { version: Number(rows[0]!.v), walLevel: rows[0]!.wal };
}

/** Throws a ConnectError saying what to change when the server cannot do logical decoding. */
export function assertLogicalDecoding(info: ServerInfo, host: string): void {
  if (info.walLevel !== 'logical') {
    throw new ConnectError(
      `PostgreSQL at ${host} has wal_level=${info.walLevel}; logical decoding needs wal_level=logical (set it in postgresql.conf or with ALTER SYSTEM SET wal_level = logical, then restart the server)`,
    );
  }
  if (info.version < 100000) {
    throw new ConnectError(
      `PostgreSQL ${info.version} has no pgoutput plugin; version 10 or later is required`,
    );
  }
}

export async function loadTypes(client: pg.Client, registry = new TypeRegistry()): Promise<TypeRegistry> {
  const types = await client.query<{
    oid: number;
    typname: string;
    typtype: string;
    typcategory: string;
    typelem: number;
    typbasetype: number;
    typtypmod: number;
  }>(
    'SELECT oid::int, typname, typtype, typcategory, typelem::int, typbasetype::int, typtypmod FROM pg_type',
  );
  const labels = await client.query<{ t: number; l: string }>(
    'SELECT enumtypid::int AS t, enumlabel AS l FROM pg_enum ORDER BY enumtypid, enumsortorder',
  );
  const enums = new Map<number, string[]>();
  for (const { t, l } of labels.rows) {
    const list = enums.get(t) ?? [];
    list.push(l);
    enums.set(t, list);
  }
  for (const row of types.rows) {
    registry.set({
      oid: row.oid,
      name: row.typname,
      kind: row.typtype,
      category: row.typcategory,
      elem: row.typelem,
      baseType: row.typbasetype,
      baseTypmod: row.typtypmod,
      ...(enums.has(row.oid) ? { enumValues: enums.get(row.oid)! } : {}),
    });
  }
  return registry;
}

export interface TableRef {
  readonly oid: number;
  readonly schema: string;
  readonly table: string;
}

/** The ordinary tables the filters select, in schema then table name order. */
export async function capturedTables(client: pg.Client, filters: Filters): Promise<TableRef[]> {
  const { rows } = await client.query<{ oid: number; schema: string; name: string }>(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r'
      ORDER BY n.nspname, c.relname`,
  );
  return rows
    .filter((r) => filters.table(r.schema, r.name))
    .map((r) => ({ oid: r.oid, schema: r.schema, table: r.name }));
}

/** A table's columns, key and replica identity; null when the table no longer exists. */
export async function readTable(client: pg.Client, oid: number): Promise<TableSpec | null> {
  const rel = await client.query<{ schema: string; name: string; ident: string }>(
    `SELECT n.nspname AS schema, c.relname AS name, c.relreplident AS ident
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`,
    [oid],
  );
  const table = rel.rows[0];
  if (!table) return null;
  const cols = await client.query<{
    name: string;
    type: number;
    typmod: number;
    notnull: boolean;
    def: string | null;
    generated: string;
  }>(
    `SELECT a.attname AS name, a.atttypid::int AS type, a.atttypmod AS typmod, a.attnotnull AS notnull,
            pg_get_expr(d.adbin, d.adrelid) AS def, a.attgenerated AS generated
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [oid],
  );
  const keys = await client.query<{ name: string; primary: boolean }>(
    `SELECT a.attname AS name, i.indisprimary AS primary
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = $1 AND (i.indisprimary OR i.indisreplident)`,
    [oid],
  );
  const primary = new Set(keys.rows.filter((k) => k.primary).map((k) => k.name));
  const identity = new Set(keys.rows.filter((k) => !k.primary).map((k) => k.name));
  const keySet = primary.size > 0 ? primary : identity;
  const columns: ColumnSpec[] = cols.rows
    .filter((c) => c.generated === '' || c.generated === null)
    .map((c) => ({
      name: c.name,
      typeOid: c.type,
      typmod: c.typmod,
      notNull: c.notnull,
      defaultExpr: c.def,
    }));
  return {
    oid,
    schema: table.schema,
    table: table.name,
    columns,
    keyColumns: columns.filter((c) => keySet.has(c.name)).map((c) => c.name),
    replicaIdentity: table.ident,
  };
}
