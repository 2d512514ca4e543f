/**
 * Record batch compression codecs by Kafka attribute id: 0 none, 1 gzip, 2 snappy (raw or xerial
 * framing, see snappy-xerial.ts), 3 lz4 (LZ4 frame format, independent 64 KiB blocks, no checksums,
 * as the Java client writes it), 4 zstd. gzip and zstd come from node:zlib.
 *
 * Every failure (unknown codec, corrupt input, output over `maxOutputLength`) is a CompressionError.
 * Sync variants are for small batches and tests; the async ones run off the event loop.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { CompressionError } from './compression-error.ts';
import { lz4 } from './native-codecs.ts';
import {
  snappyCompress,
  snappyCompressAsync,
  snappyDecompress,
  snappyDecompressAsync,
} from './snappy-xerial.ts';

export { CompressionError } from './compression-error.ts';

export const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CodecName = (typeof CODEC_NAMES)[number];

/** Default ceiling for decompressed output (a guard against compression bombs). */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 1024 * 1024 * 1024;

export interface DecompressOptions {
  /** Refuse to produce more than this many bytes. Default DEFAULT_MAX_DECOMPRESSED_BYTES. */
  maxOutputLength?: number;
}

const LZ4_MAGIC = 0x184d2204;
const LZ4_OPTIONS = { contentChecksum: false, blockChecksums: false };

const gzipAsync = promisify(zlib.gzip);
const gunzipAsync = promisify(zlib.gunzip);
const zstdCompressAsync = promisify(zlib.zstdCompress);
const zstdDecompressAsync = promisify(zlib.zstdDecompress);

/** Codec id for a name or id; throws CompressionError for anything Kafka does not define. */
export function codecId(codec: number | CodecName): number {
  const id = typeof codec === 'number' ? codec : CODEC_NAMES.indexOf(codec);
  if (!Number.isInteger(id) || id < 0 || id >= CODEC_NAMES.length) {
    throw new CompressionError(id, `unknown compression codec ${codec}`);
  }
  return id;
}

function fail(codec: number, err: unknown): never {
  if (err instanceof CompressionError) throw err;
  const name = CODEC_NAMES[codec] ?? String(codec);
  throw new CompressionError(codec, `${name}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

function checkLz4(data: Buffer): void {
  if (data.length < 7 || data.readUInt32LE(0) !== LZ4_MAGIC) {
    throw new CompressionError(3, 'lz4: not an LZ4 frame (bad magic)');
  }
}

function checkSize(codec: number, out: Buffer, max: number): Buffer {
  if (out.length > max) fail(codec, new Error(`output exceeds limit of ${max} bytes`));
  return out;
}

export function compress(codec: number | CodecName, data: Buffer): Buffer {
  const id = codecId(codec);
  try {
    switch (id) {
      case 0:
        return data;
      case 1:
        return zlib.gzipSync(data);
      case 2:
        return snappyCompress(data);
      case 3:
        return lz4().compressFrameSync(data, LZ4_OPTIONS);
      default:
        return zlib.zstdCompressSync(data);
    }
  } catch (err) {
    fail(id, err);
  }
}

export function decompress(codec: number | CodecName, data: Buffer, opts: DecompressOptions = {}): Buffer {
  const id = codecId(codec);
  const max = opts.maxOutputLength ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  try {
    switch (id) {
      case 0:
        return data;
      case 1:
        return zlib.gunzipSync(data, { maxOutputLength: max });
      case 2:
        return snappyDecompress(data, max);
      case 3:
        checkLz4(data);
        return checkSize(3, lz4().decompressFrameSync(data), max);
      default:
        return zlib.zstdDecompressSync(data, { maxOutputLength: max });
    }
  } catch (err) {
    fail(id, err);
  }
}

export async function compressAsync(codec: number | CodecName, data: Buffer): Promise<Buffer> {
  const id = codecId(codec);
  try {
    switch (id) {
      case 0:
        return data;
      case 1:
        return await gzipAsync(data);
      case 2:
        return await snappyCompressAsync(data);
      case 3:
        return await lz4().compressFrame(data, LZ4_OPTIONS);
      default:
        return await zstdCompressAsync(data);
    }
  } catch (err) {
    fail(id, err);
  }
}

export async function decompressAsync(
  codec: number | CodecName,
  data: Buffer,
  opts: DecompressOptions = {},
): Promise<Buffer> {
  const id = codecId(codec);
  const max = opts.maxOutputLength ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  try {
    switch (id) {
      case 0:
        return data;
      case 1:
        return await gunzipAsync(data, { maxOutputLength: max });
      case 2:
        return await snappyDecompressAsync(data, max);
      case 3:
        checkLz4(data);
        return checkSize(3, await lz4().decompressFrame(data), max);
      default:
        return await zstdDecompressAsync(data, { maxOutputLength: max });
    }
  } catch (err) {
    fail(id, err);
  }
}
