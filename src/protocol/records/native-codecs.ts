/**
 * The native CRC-32C, snappy and lz4 bindings, loaded on first use. Each maps its shared library
 * into the process (3-8 MB of resident memory apiece), so an idle broker pays for none of them and
 * one that never sees a snappy or lz4 batch never pays for those: idle RSS is one of the benchmark
 * targets (docs/benchmarks.md). `crc32c` keeps the loaded function, so the hot path is one call.
 */
import { createRequire } from 'node:module';

type Crc32c = typeof import('@node-rs/crc32')['crc32c'];
type Snappy = typeof import('snappy');
type Lz4 = typeof import('lz4-napi');

const require = createRequire(import.meta.url);
let crc32cFunction: Crc32c | undefined;
let snappyModule: Snappy | undefined;
let lz4Module: Lz4 | undefined;

/** CRC-32C (Castagnoli) of `data`, as a signed or unsigned 32-bit number (callers `>>> 0`). */
export function crc32c(data: Buffer): number {
  crc32cFunction ??= (require('@node-rs/crc32') as typeof import('@node-rs/crc32')).crc32c;
  return crc32cFunction(data);
}

export function snappy(): Snappy {
  snappyModule ??= require('snappy') as Snappy;
  return snappyModule;
}

export function lz4(): Lz4 {
  lz4Module ??= require('lz4-napi') as Lz4;
  return lz4Module;
}
