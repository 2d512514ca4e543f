/**
 * `path.format` as the Confluent S3/HDFS sinks' TimeBasedPartitioner writes it: a Joda-style
 * pattern over the record timestamp in UTC, with quoted literals, e.g. the default
 * `'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH` → `year=2026/month=03/day=09/hour=14`. Supported
 * fields: YYYY/yyyy, MM, dd, HH, mm, ss.
 *
 * Not implemented: other time zones than UTC, locales, week and day-of-year fields.
 */

export const DEFAULT_PATH_FORMAT = "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH";

const FIELDS: Record<string, (d: Date) => string> = {
  YYYY: (d) => String(d.getUTCFullYear()).padStart(4, '0'),
  yyyy: (d) => String(d.getUTCFullYear()).padStart(4, '0'),
  MM: (d) => String(d.getUTCMonth() + 1).padStart(2, '0'),
  dd: (d) => String(d.getUTCDate()).padStart(2, '0'),
  HH: (d) => String(d.getUTCHours()).padStart(2, '0'),
  mm: (d) => String(d.getUTCMinutes()).padStart(2, '0'),
  ss: (d) => String(d.getUTCSeconds()).padStart(2, '0'),
};

/** Compiles a pattern; throws with the reason when it uses something unsupported. */
export function compilePathFormat(pattern: string): (timestamp: number) => string {
  const parts: ((d: Date) => string)[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in "${pattern}"`);
      const literal = end === i + 1 ? "'" : pattern.slice(i + 1, end);
      parts.push(() => literal);
      i = end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (j < pattern.length && pattern[j] === c) j++;
      const token = pattern.slice(i, j);
      const field = FIELDS[token];
      if (!field)
        throw new Error(
          `"${token}" is not supported in path.format (use YYYY, MM, dd, HH, mm, ss and 'quoted' text)`,
        );
      parts.push(field);
      i = j;
      continue;
    }
    if (c === '.' && pattern.slice(i).startsWith('..')) throw new Error('path.format may not contain ".."');
    parts.push(() => c);
    i++;
  }
  return (timestamp) => {
    const d = new Date(timestamp);
    let out = '';
    for (const p of parts) out += p(d);
    return out;
  };
}
