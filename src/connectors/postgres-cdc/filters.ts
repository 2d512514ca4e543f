/**
 * Which schemas, tables and columns are captured, from Debezium's include/exclude lists: each entry
 * is a regular expression matched (whole string, case-insensitive, as Debezium does) against
 * `schema`, `schema.table` or `schema.table.column`. System schemas (pg_catalog, information_schema,
 * pg_toast) are never captured.
 */

export interface Filters {
  table(schema: string, table: string): boolean;
  column(schema: string, table: string, column: string): boolean;
}

export interface FilterLists {
  schemaInclude: readonly string[];
  schemaExclude: readonly string[];
  tableInclude: readonly string[];
  tableExclude: readonly string[];
  columnInclude: readonly string[];
  columnExclude: readonly string[];
}

const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema', 'pg_toast']);

function matcher(patterns: readonly string[]): ((name: string) => boolean) | null {
  if (patterns.length === 0) return null;
  const regexes = patterns.map((p) => new RegExp(`^(?:${p})$`, 'i'));
  return (name) => regexes.some((r) => r.test(name));
}

export function makeFilters(lists: FilterLists): Filters {
  const schemaIn = matcher(lists.schemaInclude);
  const schemaOut = matcher(lists.schemaExclude);
  const tableIn = matcher(lists.tableInclude);
  const tableOut = matcher(lists.tableExclude);
  const columnIn = matcher(lists.columnInclude);
  const columnOut = matcher(lists.columnExclude);
  return {
    table(schema, table) {
      if (SYSTEM_SCHEMAS.has(schema) || schema.startsWith('pg_temp')) return false;
      if (schemaIn && !schemaIn(schema)) return false;
      if (schemaOut?.(schema)) return false;
      const name = `${schema}.${table}`;
      if (tableIn && !tableIn(name)) return false;
      if (tableOut?.(name)) return false;
      return true;
    },
    column(schema, table, column) {
      const name = `${schema}.${table}.${column}`;
      if (columnIn && !columnIn(name)) return false;
      if (columnOut?.(name)) return false;
      return true;
    },
  };
}
