/**
 * Raw Node TCP ingest to a file: what one Node process can take off loopback and append to disk
 * with no protocol at all; the sender writes 64 KiB buffers over 2 connections with backpressure.
 */
import { fileURLToPath } from 'node:url';
import { connectTo } from '../lib/net.ts';
import { drain, spawnTracked, stopPid, waitForLine } from '../lib/procs.ts';

export async function startIngestServer(): Promise<{ port: number; pid: number }> {
  const script = fileURLToPath(new URL('./tcp-ingest-server.ts', import.meta.url));
  const child = spawnTracked('tcp-ingest', process.execPath, [script]);
  const m = await waitForLine(child, /ingest listening on (\d+)/, 10000);
  drain(child);
  return { port: Number(m[1]), pid: child.pid! };
}

export async function tcpIngest(port: number, warmupMs: number, durationMs: number) {
  const chunk = Buffer.alloc(65536, 0x61);
  let written = 0;
  let running = true;
  const sockets = await Promise.all([connectTo(port), connectTo(port)]);
  for (const s of sockets) {
    const pump = (): void => {
      while (running) {
        written += chunk.length;
        if (!s.write(chunk)) {
          s.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }
  await new Promise((r) => setTimeout(r, warmupMs));
  const w0 = written;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  const bytes = written - w0;
  const seconds = (performance.now() - t0) / 1000;
  running = false;
  for (const s of sockets) s.destroy();
  return { bytes, seconds };
}

export { stopPid };
