/**
 * A plain request/response Kafka connection (responses arrive in request order). With
 * `{ zeroCopy: true }` responses are views into a reused receive buffer (receive-buffer.ts), valid
 * until the next response arrives.
 */
import { connect, type Socket } from 'node:net';
import { connectTo, HOST } from '../lib/net.ts';
import { FrameReader } from './frame-reader.ts';
import { ReceiveBuffer } from './receive-buffer.ts';

export class KafkaConn {
  private readonly socket: Socket;
  private readonly waiting: { resolve(b: Buffer): void; reject(e: Error): void }[] = [];
  private readonly reader = new FrameReader();

  private constructor(socket: Socket, receive?: ReceiveBuffer) {
    this.socket = socket;
    if (!receive) {
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
    const receive = new ReceiveBuffer();
    let conn: KafkaConn | undefined;
    const socket = connect({
      port,
      host: HOST,
      noDelay: true,
      onread: {
        buffer: () => receive.space(),
        callback: (n: number) => {
          receive.received(n, (body) => conn?.waiting.shift()?.resolve(body));
          return true;
        },
      },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    conn = new KafkaConn(socket, receive);
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
