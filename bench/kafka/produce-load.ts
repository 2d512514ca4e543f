/**
 * The lean produce load: N connections, each keeping `window` pre-built Produce requests in flight
 * (written with cork/uncork so refills leave as one vectored write). Counts acknowledged records in
 * a measurement window after a warm-up; every response is decoded and partition errors counted.
 */
import type { Socket } from 'node:net';
import { connectTo } from '../lib/net.ts';
import type { ProducePool } from './batches.ts';
import { FrameReader } from './frame-reader.ts';
import { decodeProduce } from './frames.ts';

export interface ProduceLoadOptions {
  port: number;
  pool: ProducePool;
  connections: number;
  window: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  records: number;
  payloadBytes: number;
  seconds: number;
  errors: number;
  firstError?: string;
}

export async function produceLoad(o: ProduceLoadOptions): Promise<LoadResult> {
  const { frames, recordsPerRequest } = o.pool;
  let acked = 0;
  let errors = 0;
  let firstError: string | undefined;
  let sending = true;
  let inFlight = 0;
  const sockets: Socket[] = [];
  const drained = Promise.withResolvers<void>();
  for (let c = 0; c < o.connections; c++) {
    const socket = await connectTo(o.port);
    sockets.push(socket);
    const reader = new FrameReader();
    let mine = 0;
    let idx = c;
    const fill = (): void => {
      if (!sending) return;
      const n = o.window - mine;
      if (n <= 0) return;
      socket.cork();
      for (let i = 0; i < n; i++) {
        socket.write(frames[idx]!);
        idx = (idx + 1) % frames.length;
      }
      socket.uncork();
      mine += n;
      inFlight += n;
    };
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk, (body) => {
        mine--;
        inFlight--;
        let ok = true;
        for (const t of decodeProduce(body).responses) {
          for (const p of t.partitionResponses) {
            if (p.errorCode !== 0) {
              ok = false;
              firstError ??= `partition ${p.index}: error ${p.errorCode} ${p.errorMessage ?? ''}`;
            }
          }
        }
        if (ok) acked += recordsPerRequest;
        else errors++;
      });
      fill();
      if (!sending && inFlight === 0) drained.resolve();
    });
    socket.on('error', (err) => {
      firstError ??= err.message;
      sending = false;
      drained.resolve();
    });
    fill();
  }
  await new Promise((r) => setTimeout(r, o.warmupMs));
  const a0 = acked;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, o.durationMs));
  const a1 = acked;
  const seconds = (performance.now() - t0) / 1000;
  sending = false;
  if (inFlight > 0) await Promise.race([drained.promise, new Promise((r) => setTimeout(r, 10000))]);
  for (const s of sockets) s.destroy();
  const records = a1 - a0;
  return { records, payloadBytes: records * o.pool.recordSize, seconds, errors, firstError };
}
