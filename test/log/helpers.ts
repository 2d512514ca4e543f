/** Test helpers for the storage layer: temp dirs, record batches, a recording logger. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogLogger } from '../../src/log/logger.ts';
import { buildRecordBatch } from '../../src/protocol/records/batch.ts';
import { readBatchHeader } from '../../src/protocol/records/batch-header.ts';

export function tempDir(prefix = 'samsa-log-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface BatchSpec {
  records?: number;
  valueSize?: number;
  /** Timestamp of the first record; record i gets timestamp + i * step. */
  timestamp?: number;
  step?: number;
  compression?: 'none' | 'gzip';
}

/** One v2 batch with `records` records of `valueSize` bytes (value bytes encode the record index). */
export function batch(spec: BatchSpec = {}): Buffer {
  const n = spec.records ?? 1;
  const size = spec.valueSize ?? 10;
  const ts = spec.timestamp ?? 1_700_000_000_000;
  const step = spec.step ?? 0;
  const records = Array.from({ length: n }, (_, i) => ({
    key: null,
    value: Buffer.alloc(size, i % 251),
    timestamp: ts + i * step,
  }));
  return buildRecordBatch({ records, compression: spec.compression ?? 'none' });
}

export interface BatchInfo {
  baseOffset: number;
  lastOffset: number;
  size: number;
  maxTimestamp: number;
}

/** Splits concatenated batches into header summaries. */
export function batchesIn(buf: Buffer | null): BatchInfo[] {
  const out: BatchInfo[] = [];
  if (buf === null) return out;
  for (let at = 0; at < buf.length; ) {
    const h = readBatchHeader(buf, at);
    const size = 12 + h.batchLength;
    out.push({
      baseOffset: h.baseOffset,
      lastOffset: h.baseOffset + h.lastOffsetDelta,
      size,
      maxTimestamp: h.maxTimestamp,
    });
    at += size;
  }
  return out;
}

export interface RecordingLogger extends LogLogger {
  entries: { level: 'info' | 'warn'; obj: object; msg?: string | undefined }[];
  warnings(): string[];
}

export function recordingLogger(): RecordingLogger {
  const entries: RecordingLogger['entries'] = [];
  return {
    entries,
    info: (obj, msg) => entries.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => entries.push({ level: 'warn', obj, msg }),
    warnings: () => entries.filter((e) => e.level === 'warn').map((e) => e.msg ?? ''),
  };
}
