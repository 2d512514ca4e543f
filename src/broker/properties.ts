/**
 * Java `.properties` files, read as `java.util.Properties.load` does, so a Kafka
 * `server.properties` can be passed to `samsa start --config` unchanged: `#` and `!` comments,
 * `key=value`, `key: value` and `key value` separators, a line ending in an odd number of
 * backslashes continues on the next (its leading whitespace dropped), escapes `\t \n \r \f`,
 * `\uXXXX` and `\x` = `x` (so `\=`, `\:`, `\ ` and `\\` in keys), `\n`, `\r\n` or `\r` line ends.
 * Values are then trimmed, as Kafka's ConfigDef does. A later key replaces an earlier one. Not
 * implemented: the ISO-8859-1 reading of `Properties.load(InputStream)` (files are read as UTF-8,
 * as `Properties.load(Reader)` does).
 */

export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based line where the entry starts. */
  readonly line: number;
}

export class PropertiesError extends Error {}

const WHITESPACE = new Set([' ', '\t', '\f']);

/** Logical lines: comments and blank lines dropped, continuations joined. */
function logicalLines(text: string): { text: string; line: number }[] {
  const natural = text.split(/\r\n|\r|\n/);
  const out: { text: string; line: number }[] = [];
  for (let i = 0; i < natural.length; i++) {
    const startLine = i + 1;
    let line = stripLeading(natural[i]!);
    if (line === '' || line[0] === '#' || line[0] === '!') continue;
    let joined = '';
    while (endsWithContinuation(line) && i + 1 < natural.length) {
      joined += line.slice(0, -1);
      line = stripLeading(natural[++i]!);
    }
    joined += endsWithContinuation(line) ? line.slice(0, -1) : line;
    out.push({ text: joined, line: startLine });
  }
  return out;
}

function stripLeading(s: string): string {
  let i = 0;
  while (i < s.length && WHITESPACE.has(s[i]!)) i++;
  return s.slice(i);
}

function endsWithContinuation(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/** Resolves the escapes of a key or value. */
function unescapeJava(s: string, line: number): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++i];
    if (e === undefined) break;
    if (e === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex))
        throw new PropertiesError(`line ${line}: malformed \\uxxxx encoding`);
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
    } else out += e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' ? '\f' : e;
  }
  return out;
}

export function parseProperties(text: string): PropertyEntry[] {
  const byKey = new Map<string, PropertyEntry>();
  for (const { text: l, line } of logicalLines(text)) {
    // The key ends at the first unescaped '=', ':' or whitespace.
    let k = 0;
    while (k < l.length) {
      const c = l[k]!;
      if (c === '\\') k += 2;
      else if (c === '=' || c === ':' || WHITESPACE.has(c)) break;
      else k++;
    }
    const keyEnd = Math.min(k, l.length);
    let v = keyEnd;
    while (v < l.length && WHITESPACE.has(l[v]!)) v++;
    if (v < l.length && (l[v] === '=' || l[v] === ':')) v++;
    while (v < l.length && WHITESPACE.has(l[v]!)) v++;
    const key = unescapeJava(l.slice(0, keyEnd), line);
    byKey.delete(key);
    byKey.set(key, { key, value: unescapeJava(l.slice(v), line).trim(), line });
  }
  return [...byKey.values()];
}
