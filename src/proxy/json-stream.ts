/**
 * Splits a stream of concatenated JSON values (`{...}{...}` or one per line, as the v3 streaming
 * produce sends) into the text of each value, without parsing it: tracks nesting, strings and
 * escapes only. Text outside a value other than whitespace, or a value longer than `maxValueBytes`,
 * is an error.
 */
export class JsonValueSplitter {
  readonly #max: number;
  #parts: string[] = [];
  #partsLength = 0;
  #depth = 0;
  #inString = false;
  #escape = false;

  constructor(maxValueBytes: number) {
    this.#max = maxValueBytes;
  }

  /** Feeds text; returns the values completed by it. */
  push(chunk: string): string[] {
    const out: string[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (c === 0x5c) this.#escape = true;
        else if (c === 0x22) this.#inString = false;
        continue;
      }
      if (this.#depth === 0) {
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c) {
          start = i + 1;
          continue;
        }
        if (c === 0x7b || c === 0x5b) {
          this.#depth = 1;
          start = i;
          continue;
        }
        throw new SyntaxError(
          `unexpected character "${chunk[i]}" between records (each record is a JSON object)`,
        );
      }
      if (c === 0x22) this.#inString = true;
      else if (c === 0x7b || c === 0x5b) this.#depth++;
      else if (c === 0x7d || c === 0x5d) {
        this.#depth--;
        if (this.#depth === 0) {
          out.push(this.#take(chunk.slice(start, i + 1)));
          start = i + 1;
        }
      }
    }
    if (this.#depth > 0 || this.#inString) {
      const rest = chunk.slice(start);
      this.#parts.push(rest);
      this.#partsLength += rest.length;
      if (this.#partsLength > this.#max) throw new RangeError(`a record is larger than ${this.#max} bytes`);
    }
    return out;
  }

  /** True when the input ended inside a value. */
  get incomplete(): boolean {
    return this.#depth > 0 || this.#inString;
  }

  #take(tail: string): string {
    if (this.#parts.length === 0) return tail;
    const text = this.#parts.join('') + tail;
    this.#parts = [];
    this.#partsLength = 0;
    return text;
  }
}
