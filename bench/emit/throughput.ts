/**
 * Sustained emit throughput from one process (run in a fresh child by suite.ts): emit() as fast as
 * the emitter delivers, holding the buffer under half of maxBufferBytes (so nothing is dropped), and
 * count the events the broker acknowledged during the window. Events: ~200 B of JSON data, six ce_*
 * headers, 1,000 keys, a topic of 6 partitions.
 */
import { createEmitter } from '../../src/emit/index.ts';

export interface EmitThroughputResult {
  delivered: number;
  seconds: number;
  dropped: number;
  eventBytes: number;
  cpuPct: number;
}

export async function emitThroughput(
  bootstrap: string,
  topic: string,
  warmupMs: number,
  durationMs: number,
  compression: 'none' | 'lz4' = 'lz4',
): Promise<EmitThroughputResult> {
  const maxBufferBytes = 64 * 1024 * 1024;
  const emitter = createEmitter({
    bootstrap,
    topic,
    maxBufferBytes,
    compression,
    logger: { warn: () => {}, error: () => {} },
  });
  const data = { item: 'sku-1234567', user: 'u-42', price: 12.5, tags: ['a', 'b'], note: 'x'.repeat(100) };
  let n = 0;
  let running = true;
  const loop = async (): Promise<void> => {
    while (running) {
      if (emitter.metrics().bufferBytes > maxBufferBytes / 2) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      for (let i = 0; i < 1000; i++, n++) emitter.emit('item.viewed', data, { key: `user-${n % 1000}` });
      await new Promise((r) => setImmediate(r));
    }
  };
  const done = loop();
  await new Promise((r) => setTimeout(r, warmupMs));
  const d0 = emitter.metrics().delivered;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  const delivered = emitter.metrics().delivered - d0;
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  running = false;
  await done;
  const dropped = emitter.metrics().dropped;
  await emitter.close({ timeoutMs: 10_000 });
  return {
    delivered,
    seconds,
    dropped,
    eventBytes: Buffer.byteLength(JSON.stringify(data)),
    cpuPct: ((c.user + c.system) / 1e6 / seconds) * 100,
  };
}
