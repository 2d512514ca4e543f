/**
 * Rows of `COPY ... TO STDOUT` in PostgreSQL's text format, as the snapshot reads them: the COPY's
 * bytes are decoded (UTF-8, the session's client encoding) once per chunk of whole rows, and each
 * row's columns are cut out of that text into a caller's array (reused from row to row), `\N` as
 * null and the format's backslash escapes undone. The values are the same text as the type's output
 * function gives in a query's result, so the column parsers of types.ts take them unchanged.
 *
 * Does not read the stream itself (snapshot.ts feeds chunks), does not parse CSV or binary COPY,
 * and does not check the column count beyond failing on a short row (the snapshot's own SELECT
 * names the columns; a tab inside a value is escaped, so a row cannot have more).
 */

const NEWLINE = 0x0a;
const BACKSLASH = 92;
const N = 78;

export class CopyTextRows {
  /** Whole rows decoded from the chunks fed so far, from `at` on. */
  private text = '';
  private at = 0;
  /** The next backslash in `text` at or after `at` (text.length when none). */
  private backslash = 0;
  /** Bytes after the last newline of the previous chunk: the start of a row not yet complete. */
  private carry: Buffer | null = null;

  /** True when a whole row is ready for `next`. */
  get ready(): boolean {
    return this.at < this.text.length;
  }

  /** True when bytes of an incomplete row are held (at the end of the COPY: a truncated stream). */
  get partial(): boolean {
    return this.carry !== null;
  }

  /** Takes the next chunk of the COPY's bytes; call only when `ready` is false. */
  push(chunk: Buffer): void {
    let bytes = chunk;
    if (this.carry !== null) {
      bytes = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    const end = bytes.lastIndexOf(NEWLINE) + 1;
    if (end < bytes.length) this.carry = Buffer.from(bytes.subarray(end));
    this.text = end === 0 ? '' : bytes.toString('utf8', 0, end);
    this.at = 0;
    this.backslash = this.text.indexOf('\\');
    if (this.backslash < 0) this.backslash = this.text.length;
  }

  /** Fills `cells[0..columns)` (columns ≥ 1) with the next row's values; false when no whole row is ready. */
  next(cells: (string | null)[], columns: number): boolean {
    const text = this.text;
    let pos = this.at;
    if (pos >= text.length) return false;
    const end = text.indexOf('\n', pos);
    for (let i = 0; i < columns; i++) {
      let stop: number;
      if (i === columns - 1) stop = end;
      else {
        stop = text.indexOf('\t', pos);
        if (stop < 0 || stop > end) throw new Error(`COPY row with ${i + 1} columns, expected ${columns}`);
      }
      if (this.backslash >= stop) cells[i] = text.slice(pos, stop);
      else {
        if (this.backslash < pos) this.backslash = nextBackslash(text, pos);
        if (this.backslash >= stop) cells[i] = text.slice(pos, stop);
        else if (stop - pos === 2 && text.charCodeAt(pos) === BACKSLASH && text.charCodeAt(pos + 1) === N)
          cells[i] = null;
        else cells[i] = unescapeCopyText(text, pos, stop);
      }
      pos = stop + 1;
    }
    this.at = end + 1;
    return true;
  }
}

function nextBackslash(text: string, from: number): number {
  const i = text.indexOf('\\', from);
  return i < 0 ? text.length : i;
}

/** A column's text with COPY's escapes undone (`\b \f \n \r \t \v \\`, octal `\ooo`, `\xhh`, else the character). */
export function unescapeCopyText(text: string, from: number, to: number): string {
  let out = '';
  let start = from;
  let i = text.indexOf('\\', from);
  // Octal and hex escapes give bytes: collected, then decoded as UTF-8 together.
  let bytes: number[] | null = null;
  const flush = (): void => {
    if (bytes !== null) {
      out += Buffer.from(bytes).toString('utf8');
      bytes = null;
    }
  };
  while (i >= 0 && i < to) {
    if (i > start) {
      flush();
      out += text.slice(start, i);
    }
    const c = i + 1 < to ? text.charCodeAt(i + 1) : -1;
    let next = i + 2;
    let byte = -1;
    let char: string | null = null;
    switch (c) {
      case 98:
        char = '\b';
        break;
      case 102:
        char = '\f';
        break;
      case 110:
        char = '\n';
        break;
      case 114:
        char = '\r';
        break;
      case 116:
        char = '\t';
        break;
      case 118:
        char = '\v';
        break;
      case 120: {
        let value = 0;
        let digits = 0;
        while (digits < 2 && next < to && hexValue(text.charCodeAt(next)) >= 0) {
          value = value * 16 + hexValue(text.charCodeAt(next));
          next++;
          digits++;
        }
        if (digits > 0) byte = value;
        else char = 'x';
        break;
      }
      case -1:
        char = '\\';
        next = i + 1;
        break;
      default:
        if (c >= 48 && c <= 55) {
          let value = c - 48;
          while (next < to && next < i + 4 && text.charCodeAt(next) >= 48 && text.charCodeAt(next) <= 55) {
            value = value * 8 + (text.charCodeAt(next) - 48);
            next++;
          }
          byte = value & 0xff;
        } else char = text[i + 1]!;
    }
    if (byte >= 0) (bytes ??= []).push(byte);
    else {
      flush();
      out += char!;
    }
    start = next;
    i = text.indexOf('\\', next);
  }
  flush();
  return start < to ? out + text.slice(start, to) : out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
