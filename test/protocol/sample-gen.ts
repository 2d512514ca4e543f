/** Seeded random value source for the generated round-trip samples (test support). */
export class SampleGen {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }

  /** xorshift32: deterministic per seed so a failure can be replayed. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x100000000;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  bool(): boolean {
    return this.chance(0.5);
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bigint(): bigint {
    const hi = BigInt(this.int(0, 0xffffffff));
    const lo = BigInt(this.int(0, 0xffffffff));
    return BigInt.asIntN(64, (hi << 32n) | lo);
  }

  float(): number {
    return (this.next() - 0.5) * 1e6;
  }

  uuid(): string {
    let s = '';
    for (let i = 0; i < 4; i++) s += this.int(0, 0xffffffff).toString(16).padStart(8, '0');
    return s;
  }

  string(): string {
    const alphabet = 'abcXYZ019._-éß漢😀';
    const chars = [...alphabet];
    const n = this.int(0, 12);
    let s = '';
    for (let i = 0; i < n; i++) s += chars[this.int(0, chars.length - 1)];
    return s;
  }

  bytes(): Buffer {
    const n = this.int(0, 40);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }

  array<T>(make: () => T): T[] {
    const n = this.int(0, 3);
    const a: T[] = [];
    for (let i = 0; i < n; i++) a.push(make());
    return a;
  }
}
