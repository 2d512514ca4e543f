/**
 * A minimal RESP2 client for the Redis figures: commands encoded once, pipelined, and a streaming
 * reply parser (simple strings, errors, integers, bulk strings, arrays) over a chunk list.
 */
import type { Socket } from 'node:net';
import { connectTo } from '../lib/net.ts';

export type Reply = Buffer | string | number | null | Error | Reply[];

export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

class Incomplete extends Error {}
const INCOMPLETE = new Incomplete();

/** Parses one reply at `pos`; returns [reply, next position] or throws INCOMPLETE. */
function parse(buf: Buffer, pos: number): [Reply, number] {
  if (pos >= buf.length) throw INCOMPLETE;
  const eol = buf.indexOf(13, pos);
  if (eol < 0 || eol + 1 >= buf.length) throw INCOMPLETE;
  const type = buf[pos];
  const line = buf.toString('latin1', pos + 1, eol);
  const next = eol + 2;
  switch (type) {
    case 43: // +
      return [line, next];
    case 45: // -
      return [new Error(line), next];
    case 58: // :
      return [Number(line), next];
    case 36: {
      // $
      const n = Number(line);
      if (n < 0) return [null, next];
      if (next + n + 2 > buf.length) throw INCOMPLETE;
      return [buf.subarray(next, next + n), next + n + 2];
    }
    case 42: {
      // *
      const n = Number(line);
      if (n < 0) return [null, next];
      const out: Reply[] = new Array(n);
      let p = next;
      for (let i = 0; i < n; i++) {
        const [r, q] = parse(buf, p);
        out[i] = r;
        p = q;
      }
      return [out, p];
    }
    default:
      throw new Error(`bad RESP type byte ${type}`);
  }
}

export class RespConn {
  private readonly socket: Socket;
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting: ((r: Reply) => void)[] = [];
  /** Called for every reply when set (pipelined mode); otherwise replies resolve `call()`s in order. */
  onReply: ((r: Reply) => void) | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
  }

  static async open(port: number): Promise<RespConn> {
    return new RespConn(await connectTo(port));
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let pos = 0;
    for (;;) {
      let r: [Reply, number];
      try {
        r = parse(this.buf, pos);
      } catch (err) {
        if (err === INCOMPLETE) break;
        throw err;
      }
      pos = r[1];
      if (this.onReply) this.onReply(r[0]);
      else this.waiting.shift()?.(r[0]);
    }
    this.buf = pos === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
  }

  call(args: readonly (string | Buffer)[]): Promise<Reply> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(encodeCommand(args));
    });
  }

  /** Writes pre-encoded commands as one vectored write. */
  writeRaw(commands: readonly Buffer[]): void {
    this.socket.cork();
    for (const c of commands) this.socket.write(c);
    this.socket.uncork();
  }

  close(): void {
    this.socket.destroy();
  }
}
