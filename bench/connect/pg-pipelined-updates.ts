/**
 * The CDC latency workload's load generator, pgbench-style: single-row UPDATEs, each its own
 * committed transaction, offered at a fixed rate, on a few connections that speak the PostgreSQL
 * protocol directly. Like `pgbench -M prepared`, each transaction is Bind + Execute + Sync of a
 * statement prepared once per connection (the Sync ends the implicit transaction, so every UPDATE
 * commits on its own, with its own commit timestamp); unlike pgbench's one transaction per client
 * at a time, the transactions due on a tick are written at once (pipelined) and their replies read
 * as they come. The whole bench process then costs 22-39 µs of CPU per change (its timers and
 * latency samples included) instead of 47-78 with node-postgres clients (docs/benchmarks.md).
 *
 *   const load = await PipelinedUpdates.open(pg.config('stream'), 'UPDATE t SET v = v + 1 WHERE id = $1', 4);
 *   load.send(ids);            // one transaction per id, pipelined on the next connection in turn
 *   await load.settled();      // every transaction sent so far has committed (or failed: throws)
 *   await load.close();
 *
 * Authentication: trust, cleartext password or MD5 (the test PostgreSQL uses cleartext).
 */
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type pg from 'pg';

/** Bind(unnamed portal, statement "u", one binary int4) + Execute(all rows) + Sync. */
const TX_BYTES = 24 + 10 + 5;

class Connection {
  readonly #socket: Socket;
  #pending: Buffer | null = null;
  /** Transactions written and not yet answered with ReadyForQuery. */
  outstanding = 0;
  committed = 0;
  #error: Error | null = null;
  #onReady: (() => void) | null = null;
  #onIdle: (() => void) | null = null;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
  }

  static async open(config: pg.ClientConfig, sql: string): Promise<Connection> {
    const socket = connect({ host: config.host ?? '127.0.0.1', port: Number(config.port) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new Connection(socket);
    socket.on('error', (err) => c.#fail(err));
    socket.on('data', (chunk: Buffer) => c.#read(chunk));
    const user = String(config.user);
    const params = Buffer.from(`user\0${user}\0database\0${config.database}\0\0`);
    const startup = Buffer.alloc(8 + params.length);
    startup.writeInt32BE(startup.length, 0);
    startup.writeInt32BE(196608, 4); // protocol 3.0
    params.copy(startup, 8);
    await c.#exchange(startup, (code, body) => {
      if (code !== 0x52 /* R: authentication */) return;
      const kind = body.readInt32BE(0);
      const password = String(config.password ?? '');
      if (kind === 3) socket.write(message(0x70, Buffer.from(`${password}\0`)));
      else if (kind === 5) {
        const inner = createHash('md5')
          .update(password + user)
          .digest('hex');
        const outer = createHash('md5').update(inner).update(body.subarray(4, 8)).digest('hex');
        socket.write(message(0x70, Buffer.from(`md5${outer}\0`)));
      } else if (kind !== 0) throw new Error(`authentication method ${kind} is not supported here`);
    });
    // Parse "u" (one int4 parameter), then Sync.
    const text = Buffer.from(`u\0${sql}\0`);
    const parse = Buffer.alloc(text.length + 6);
    text.copy(parse, 0);
    parse.writeInt16BE(1, text.length);
    parse.writeInt32BE(23, text.length + 2);
    await c.#exchange(Buffer.concat([message(0x50, parse), message(0x53, Buffer.alloc(0))]));
    return c;
  }

  /** Writes `request` and resolves at the next ReadyForQuery (rejects on an ErrorResponse). */
  #exchange(request: Buffer, onMessage?: (code: number, body: Buffer) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#onReady = () => {
        this.#onReady = null;
        if (this.#error) reject(this.#error);
        else resolve();
      };
      this.#handshake = onMessage ?? null;
      this.#socket.write(request);
    });
  }

  #handshake: ((code: number, body: Buffer) => void) | null = null;

  /** One transaction per id, in one write. */
  send(ids: readonly number[]): void {
    if (ids.length === 0) return;
    const out = Buffer.allocUnsafe(ids.length * TX_BYTES);
    let o = 0;
    for (const id of ids) {
      // Bind: portal "", statement "u", 1 parameter format (binary), 1 parameter (4 bytes), 0 result formats.
      out[o] = 0x42;
      out.writeInt32BE(23, o + 1);
      out[o + 5] = 0;
      out[o + 6] = 0x75;
      out[o + 7] = 0;
      out.writeInt16BE(1, o + 8);
      out.writeInt16BE(1, o + 10);
      out.writeInt16BE(1, o + 12);
      out.writeInt32BE(4, o + 14);
      out.writeInt32BE(id, o + 18);
      out.writeInt16BE(0, o + 22);
      o += 24;
      // Execute: portal "", no row limit.
      out[o] = 0x45;
      out.writeInt32BE(9, o + 1);
      out[o + 5] = 0;
      out.writeInt32BE(0, o + 6);
      o += 10;
      // Sync: ends (commits) the implicit transaction.
      out[o] = 0x53;
      out.writeInt32BE(4, o + 1);
      o += 5;
    }
    this.outstanding += ids.length;
    this.#socket.write(out);
  }

  /** Resolves once every transaction sent is answered (rejects if one failed). */
  idle(): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.#error) reject(this.#error);
        else if (this.outstanding === 0) resolve();
        else this.#onIdle = check;
      };
      check();
    });
  }

  #read(chunk: Buffer): void {
    const buf = this.#pending === null ? chunk : Buffer.concat([this.#pending, chunk]);
    let at = 0;
    while (buf.length - at >= 5) {
      const length = buf.readInt32BE(at + 1);
      if (buf.length - at < 1 + length) break;
      const code = buf[at]!;
      if (code === 0x5a /* Z: ReadyForQuery */) {
        if (this.#onReady) this.#onReady();
        else {
          this.outstanding--;
          this.committed++;
        }
      } else if (code === 0x45 /* E: ErrorResponse */) {
        this.#error ??= new Error(`PostgreSQL: ${errorText(buf.subarray(at + 5, at + 1 + length))}`);
        if (!this.#onReady) this.committed--; // its ReadyForQuery still comes
      } else if (this.#handshake) {
        this.#handshake(code, buf.subarray(at + 5, at + 1 + length));
      }
      at += 1 + length;
    }
    this.#pending = at < buf.length ? Buffer.from(buf.subarray(at)) : null;
    if (this.#onIdle && (this.outstanding === 0 || this.#error)) {
      const idle = this.#onIdle;
      this.#onIdle = null;
      idle();
    }
  }

  #fail(err: Error): void {
    this.#error ??= err;
    this.#onReady?.();
    const idle = this.#onIdle;
    this.#onIdle = null;
    idle?.();
  }

  async close(): Promise<void> {
    this.#socket.end(message(0x58, Buffer.alloc(0)));
    await new Promise((resolve) => this.#socket.once('close', resolve));
  }

  get error(): Error | null {
    return this.#error;
  }
}

function message(code: number, body: Buffer): Buffer {
  const out = Buffer.alloc(5 + body.length);
  out[0] = code;
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

/** The severity, code and message fields of an ErrorResponse. */
function errorText(body: Buffer): string {
  const fields = new Map<string, string>();
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const end = body.indexOf(0, at + 1);
    fields.set(String.fromCharCode(body[at]!), body.toString('utf8', at + 1, end));
    at = end + 1;
  }
  return `${fields.get('S') ?? 'ERROR'} ${fields.get('C') ?? ''}: ${fields.get('M') ?? ''}`;
}

export class PipelinedUpdates {
  readonly #connections: Connection[];
  #next = 0;

  private constructor(connections: Connection[]) {
    this.#connections = connections;
  }

  /** `connections` connections to `config`'s database, each with `sql` (one int4 parameter) prepared. */
  static async open(config: pg.ClientConfig, sql: string, connections: number): Promise<PipelinedUpdates> {
    return new PipelinedUpdates(
      await Promise.all(Array.from({ length: connections }, () => Connection.open(config, sql))),
    );
  }

  /**
   * One transaction per id, all in one write on the next connection in turn (one write and one
   * reply read per call rather than one per connection).
   */
  send(ids: readonly number[]): void {
    if (ids.length === 0) return;
    const c = this.#connections[this.#next]!;
    this.#next = (this.#next + 1) % this.#connections.length;
    if (c.error) throw c.error;
    c.send(ids);
  }

  /** Transactions sent and not yet committed. */
  get outstanding(): number {
    let n = 0;
    for (const c of this.#connections) n += c.outstanding;
    return n;
  }

  /** Transactions committed so far. */
  get committed(): number {
    let n = 0;
    for (const c of this.#connections) n += c.committed;
    return n;
  }

  /** Resolves once every transaction sent so far is answered; rejects if one failed. */
  async settled(): Promise<void> {
    await Promise.all(this.#connections.map((c) => c.idle()));
  }

  async close(): Promise<void> {
    await Promise.all(this.#connections.map((c) => c.close()));
  }
}
