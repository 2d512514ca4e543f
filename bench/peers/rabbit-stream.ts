/**
 * A lean RabbitMQ stream-protocol client (the binary protocol of the stream plugin): handshake
 * (PeerProperties, PLAIN auth, Tune with heartbeats off, Open), Create, DeclarePublisher, pipelined
 * Publish with PublishConfirm, and Subscribe/Deliver with credit. Written because the npm client
 * needs RabbitMQ 3.11+ (it sends ExchangeCommandVersions, which 3.10 answers by closing).
 */
import type { Socket } from 'node:net';
import { connectReceiving } from '../kafka/receive-buffer.ts';

const K = {
  declarePublisher: 0x01,
  publish: 0x02,
  publishConfirm: 0x03,
  publishError: 0x04,
  subscribe: 0x07,
  deliver: 0x08,
  credit: 0x09,
  create: 0x0d,
  peerProperties: 0x11,
  saslHandshake: 0x12,
  saslAuthenticate: 0x13,
  tune: 0x14,
  open: 0x15,
  close: 0x16,
} as const;

/** Offset specification types of Subscribe. */
export const OFFSET_FIRST = 1;
export const OFFSET_NEXT = 3;

function str(s: string): Buffer {
  const b = Buffer.from(s);
  const out = Buffer.alloc(2 + b.length);
  out.writeInt16BE(b.length, 0);
  b.copy(out, 2);
  return out;
}

function u8(n: number): Buffer {
  return Buffer.from([n]);
}
function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

function frame(key: number, parts: Buffer[]): Buffer {
  const body = Buffer.concat([u16(key), u16(1), ...parts]);
  return Buffer.concat([u32(body.length), body]);
}

export class RabbitStream {
  private socket!: Socket;
  private corr = 0;
  private readonly waiting = new Map<number, (code: number) => void>();
  onConfirm: (count: number) => void = () => {};
  /** Called per delivered chunk with the record count and the chunk's data section. */
  onDeliver: (records: number, data: Buffer, entries: number) => void = () => {};
  private readonly tuned = Promise.withResolvers<void>();
  closedReason: string | null = null;

  static async open(port: number, user = 'guest', pass = 'guest'): Promise<RabbitStream> {
    // Frames are read in place like the lean Kafka consumer's (receive-buffer.ts), so both
    // systems' consume figures come from the same receive path.
    const c = new RabbitStream();
    c.socket = await connectReceiving(port, (f) => c.onFrame(f));
    c.socket.on('error', () => {});
    await c.call(K.peerProperties, [u32(0)]);
    await c.call(K.saslHandshake, []);
    const auth = Buffer.from(`\0${user}\0${pass}`);
    const code = await c.call(K.saslAuthenticate, [str('PLAIN'), u32(auth.length), auth]);
    if (code !== 1) throw new Error(`stream auth failed: code ${code}`);
    await c.tuned.promise;
    const opened = await c.call(K.open, [str('/')]);
    if (opened !== 1) throw new Error(`stream open failed: code ${opened}`);
    return c;
  }

  private onFrame(f: Buffer): void {
    const key = f.readUInt16BE(0) & 0x7fff;
    const isResponse = (f.readUInt16BE(0) & 0x8000) !== 0;
    if (key === K.tune && !isResponse) {
      // Agree on the server's frame size; heartbeat 0 turns heartbeats off.
      this.socket.write(frame(K.tune, [u32(f.readUInt32BE(4)), u32(0)]));
      this.tuned.resolve();
    } else if (key === K.publishConfirm) {
      this.onConfirm(f.readInt32BE(5));
    } else if (key === K.publishError) {
      this.closedReason ??= 'publish error';
    } else if (key === K.deliver) {
      const sub = f.readUInt8(4);
      // Chunk header after the subscription id: magic, type, entries u16 @7, records u32 @9, ... 48 bytes.
      this.onDeliver(f.readUInt32BE(9), f.subarray(53), f.readUInt16BE(7));
      this.socket.write(frame(K.credit, [u8(sub), u16(1)]));
    } else if (key === K.close && !isResponse) {
      this.closedReason = `server closed: code ${f.readUInt16BE(8)}`;
      for (const w of this.waiting.values()) w(-1);
    } else if (isResponse) {
      const corr = f.readUInt32BE(4);
      const w = this.waiting.get(corr);
      this.waiting.delete(corr);
      w?.(f.readUInt16BE(8));
    }
  }

  /** Sends a request carrying a correlation id; resolves with the response code (1 = OK). */
  call(key: number, parts: Buffer[]): Promise<number> {
    const corr = ++this.corr;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stream request ${key} timed out`)), 15000);
      this.waiting.set(corr, (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      this.socket.write(frame(key, [u32(corr), ...parts]));
    });
  }

  async createStream(name: string): Promise<void> {
    const code = await this.call(K.create, [str(name), u32(0)]);
    if (code !== 1 && code !== 5) throw new Error(`create stream ${name}: code ${code}`);
  }

  async declarePublisher(id: number, stream: string): Promise<void> {
    const code = await this.call(K.declarePublisher, [u8(id), u16(0), str(stream)]);
    if (code !== 1) throw new Error(`declare publisher: code ${code}`);
  }

  /** One Publish frame with `messages` (publishing ids from `firstId`). */
  static publishFrame(publisherId: number, firstId: bigint, messages: readonly Buffer[]): Buffer {
    const parts: Buffer[] = [u8(publisherId), u32(messages.length)];
    let id = firstId;
    for (const m of messages) {
      const h = Buffer.alloc(12);
      h.writeBigUInt64BE(id++, 0);
      h.writeUInt32BE(m.length, 8);
      parts.push(h, m);
    }
    return frame(K.publish, parts);
  }

  write(frames: readonly Buffer[]): void {
    this.socket.cork();
    for (const f of frames) this.socket.write(f);
    this.socket.uncork();
  }

  async subscribe(id: number, stream: string, offsetType: number, credit = 10): Promise<void> {
    const code = await this.call(K.subscribe, [u8(id), str(stream), u16(offsetType), u16(credit), u32(0)]);
    if (code !== 1) throw new Error(`subscribe: code ${code}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The message bodies in a chunk's data section (simple entries; sub-batches skipped). */
export function chunkMessages(data: Buffer, entries: number): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  for (let i = 0; i < entries && pos + 4 <= data.length; i++) {
    const size = data.readUInt32BE(pos);
    if ((size & 0x80000000) !== 0) break;
    out.push(data.subarray(pos + 4, pos + 4 + size));
    pos += 4 + size;
  }
  return out;
}
