/**
 * A plain request/response Kafka connection (responses arrive in request order). With
 * `{ zeroCopy: true }` responses are views into a reused receive buffer (receive-buffer.ts), valid
 * until the next response arrives.
 */
import type { Socket } from 'node:net';
import { connectTo } from '../lib/net.ts';
import { FrameReader } from './frame-reader.ts';
import { connectReceiving } from './receive-buffer.ts';

export class KafkaConn {
  private readonly socket: Socket;
  private readonly waiting: { resolve(b: Buffer): void; reject(e: Error): void }[] = [];
  private readonly reader = new FrameReader();

  private constructor(socket: Socket, zeroCopy = false) {
    this.socket = socket;
    if (!zeroCopy) {
      socket.on('data', (chunk: Buffer) =>
        this.reader.push(chunk, (body) => this.waiting.shift()?.resolve(body)),
      );
    }
    const fail = (err: Error): void => {
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static async open(port: number, opts: { zeroCopy?: boolean } = {}): Promise<KafkaConn> {
    if (!opts.zeroCopy) return new KafkaConn(await connectTo(port));
    let conn: KafkaConn | undefined;
    const socket = await connectReceiving(port, (body) => conn?.waiting.shift()?.resolve(body));
    conn = new KafkaConn(socket, true);
    return conn;
  }

  request(frame: Buffer, timeoutMs = 30000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('request timed out')), timeoutMs);
      this.waiting.push({
        resolve: (b) => {
          clearTimeout(timer);
          resolve(b);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
