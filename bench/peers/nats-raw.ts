/**
 * A lean NATS protocol connection for the JetStream figures: pipelined PUB with a reply subject
 * (JetStream answers each with a PubAck), and a MSG/HMSG parser. The official client allocates a
 * request and a promise per message and tops out well below the server; this one does not.
 */
import type { Socket } from 'node:net';
import { connectTo } from '../lib/net.ts';

export interface NatsMsg {
  subject: string;
  reply: string | null;
  /** Header block (HMSG) or null. */
  headers: Buffer | null;
  data: Buffer;
}

export class NatsRaw {
  private readonly socket: Socket;
  private buf: Buffer = Buffer.alloc(0);
  private sid = 0;
  private readonly handlers = new Map<string, (m: NatsMsg) => void>();

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('error', () => {});
  }

  static async open(port: number): Promise<NatsRaw> {
    const c = new NatsRaw(await connectTo(port));
    c.socket.write(
      'CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"lang":"samsa-bench","version":"1"}\r\n',
    );
    return c;
  }

  subscribe(subject: string, handler: (m: NatsMsg) => void): void {
    const sid = String(++this.sid);
    this.handlers.set(sid, handler);
    this.socket.write(`SUB ${subject} ${sid}\r\n`);
  }

  /** Encodes one PUB (reused by callers that pipeline the same message). */
  static pub(subject: string, reply: string | null, data: Buffer): Buffer {
    const head = Buffer.from(`PUB ${subject}${reply ? ` ${reply}` : ''} ${data.length}\r\n`);
    return Buffer.concat([head, data, Buffer.from('\r\n')]);
  }

  write(frames: readonly Buffer[]): void {
    this.socket.cork();
    for (const f of frames) this.socket.write(f);
    this.socket.uncork();
  }

  /** Request/reply over a one-off inbox. */
  request(subject: string, body: string, timeoutMs = 5000): Promise<Buffer> {
    const inbox = `_INBOX.samsa.${++this.sid}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`NATS request ${subject} timed out`)), timeoutMs);
      this.subscribe(inbox, (m) => {
        clearTimeout(timer);
        resolve(m.data);
      });
      this.write([NatsRaw.pub(subject, inbox, Buffer.from(body))]);
    });
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const buf = this.buf;
    let pos = 0;
    for (;;) {
      const eol = buf.indexOf('\r\n', pos);
      if (eol < 0) break;
      const line = buf.toString('latin1', pos, eol);
      if (line.startsWith('MSG ') || line.startsWith('HMSG ')) {
        const f = line.split(' ');
        const hmsg = f[0] === 'HMSG';
        const total = Number(f[f.length - 1]);
        const hdr = hmsg ? Number(f[f.length - 2]) : 0;
        const nArgs = f.length - (hmsg ? 3 : 2);
        const end = eol + 2 + total;
        if (end + 2 > buf.length) break;
        const msg: NatsMsg = {
          subject: f[1]!,
          reply: nArgs === 3 ? f[3]! : null,
          headers: hmsg ? buf.subarray(eol + 2, eol + 2 + hdr) : null,
          data: buf.subarray(eol + 2 + hdr, end),
        };
        this.handlers.get(f[2]!)?.(msg);
        pos = end + 2;
      } else {
        if (line === 'PING') this.socket.write('PONG\r\n');
        else if (line.startsWith('-ERR')) process.stderr.write(`nats: ${line}\n`);
        pos = eol + 2;
      }
    }
    this.buf = pos === buf.length ? Buffer.alloc(0) : buf.subarray(pos);
  }

  close(): void {
    this.socket.destroy();
  }
}
