/**
 * Disk sequential write ceiling in the directory the brokers use (os.tmpdir()): 1 MiB writes
 * without fsync (page cache), 1 MiB writes each followed by fdatasync, and 64 KiB writes each
 * followed by fdatasync (the group-commit shape: its latency bounds acks=-1 with fsync=always).
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LatencySamples } from '../lib/percentiles.ts';

export interface DiskResult {
  bytes: number;
  seconds: number;
  p50: number | null;
  p99: number | null;
  p999: number | null;
}

export function diskWrite(
  chunkBytes: number,
  fsyncEach: boolean,
  durationMs: number,
  maxBytes: number,
): DiskResult {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-disk-'));
  const fd = openSync(join(dir, 'seq.bin'), 'w');
  const chunk = Buffer.alloc(chunkBytes, 0x61);
  const samples = new LatencySamples(1_000_000);
  let bytes = 0;
  const t0 = performance.now();
  try {
    while (performance.now() - t0 < durationMs && bytes < maxBytes) {
      const s = performance.now();
      writeSync(fd, chunk);
      if (fsyncEach) fdatasyncSync(fd);
      samples.add(performance.now() - s);
      bytes += chunkBytes;
    }
    if (!fsyncEach) fdatasyncSync(fd);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - t0) / 1000;
  const [p50, p99, p999] = samples.percentiles([50, 99, 99.9]);
  return { bytes, seconds, p50: p50 ?? null, p99: p99 ?? null, p999: p999 ?? null };
}
