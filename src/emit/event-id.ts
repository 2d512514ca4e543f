/**
 * Random UUIDs (version 4) for CloudEvents ids, as the header bytes and the string at once.
 * `crypto.randomUUID()` and then `Buffer.from(id)` for the `ce_id` header cost ~4-7 µs per event at
 * an app's rate (1,000 events/s: cold caches, measured in docs/benchmarks.md); here 256 ids' random
 * bytes come from one `randomFillSync` (the same CSPRNG as randomUUID) and are formatted together
 * into a slab of ASCII and one string; each id's header is a view of the slab, its text a slice.
 *
 *   const ids = new EventIds();
 *   const bytes = ids.next();          // Buffer of 36 bytes, e.g. 8c1d5b0e-...-...
 *   const id = ids.lastText;           // the same as a string
 */
import { randomFillSync } from 'node:crypto';

const PER_REFILL = 256;
const DASH = 0x2d;
/** ASCII of the two hex digits of each byte value, lower case. */
const HEX = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const s = i.toString(16).padStart(2, '0');
  HEX[2 * i] = s.charCodeAt(0);
  HEX[2 * i + 1] = s.charCodeAt(1);
}

export class EventIds {
  readonly #random = Buffer.allocUnsafe(16 * PER_REFILL);
  #slab = Buffer.allocUnsafe(0);
  #text = '';
  #next = PER_REFILL;
  /** The string of the id `next()` returned last. */
  lastText = '';

  /** A new random UUID's 36 ASCII bytes (a view of a slab shared by 256 ids; never written to). */
  next(): Buffer {
    if (this.#next === PER_REFILL) this.#refill();
    const start = this.#next++ * 36;
    this.lastText = this.#text.slice(start, start + 36);
    return this.#slab.subarray(start, start + 36);
  }

  /** 256 ids at once, in one warm loop: per event only a view and a slice of a string remain. */
  #refill(): void {
    randomFillSync(this.#random);
    // A new slab: the views handed out keep the old one alive while their records are buffered.
    const s = Buffer.allocUnsafe(36 * PER_REFILL);
    formatUuids(this.#random, s);
    this.#slab = s;
    this.#text = s.toString('latin1');
    this.#next = 0;
  }
}

/**
 * Writes PER_REFILL version 4 UUIDs (36 ASCII bytes each) from 16 random bytes each. A function of
 * its own, not a loop inside `#refill`: there V8 compiled the loop on the fly (on-stack
 * replacement, ~2.7 ms of a background thread) and then dropped that code at the field stores
 * after it, on every refill (`--trace-deopt`: "Insufficient type feedback"), four times a second at
 * 1,000 events/s, on the core the app's requests need.
 */
function formatUuids(r: Uint8Array, s: Uint8Array): void {
  let o = 0;
  for (let i = 0; i < PER_REFILL; i++) {
    const from = i * 16;
    for (let k = 0; k < 16; k++) {
      if (k === 4 || k === 6 || k === 8 || k === 10) s[o++] = DASH;
      let b = r[from + k]!;
      if (k === 6)
        b = (b & 0x0f) | 0x40; // version 4
      else if (k === 8) b = (b & 0x3f) | 0x80; // variant 10xx
      s[o++] = HEX[2 * b]!;
      s[o++] = HEX[2 * b + 1]!;
    }
  }
}
