/**
 * How commands print: aligned tables and `Key: value` blocks for people, JSON for scripts. Pure
 * string builders; the command context writes them. Bigints (offsets) become JSON numbers when
 * exactly representable, strings otherwise.
 */

export interface Column<Row> {
  header: string;
  value(row: Row): string | number | bigint | null | undefined;
  /** Right-align (numbers). */
  right?: boolean;
}

function cell(value: string | number | bigint | null | undefined): string {
  return value === null || value === undefined ? '-' : String(value);
}

/** An aligned table with upper-case headers; an empty message replaces it when there are no rows. */
export function formatTable<Row>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  empty = '(none)',
): string {
  if (rows.length === 0) return empty;
  const grid = [
    columns.map((c) => c.header.toUpperCase()),
    ...rows.map((r) => columns.map((c) => cell(c.value(r)))),
  ];
  const widths = columns.map((_, i) => Math.max(...grid.map((line) => line[i]!.length)));
  return grid
    .map((line) =>
      line
        .map((text, i) => (columns[i]!.right ? text.padStart(widths[i]!) : text.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `Label:  value` lines with the values aligned. */
export function formatFields(
  fields: readonly (readonly [string, string | number | bigint | null | undefined])[],
): string {
  const width = Math.max(...fields.map(([label]) => label.length + 1));
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${cell(value)}`).join('\n');
}

function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Map) return Object.fromEntries(value);
  return value;
}

/** Pretty JSON for a command's result. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, jsonValue, 2);
}

/** One-line JSON (for streams of records, one object per line). */
export function formatJsonLine(value: unknown): string {
  return JSON.stringify(value, jsonValue);
}
