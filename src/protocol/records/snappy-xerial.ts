/**
 * Snappy as Kafka clients send it: raw snappy blocks, or snappy-java's "xerial" stream framing
 * (the Java client's default). Decompression detects the framing; compression emits xerial framing,
 * which every client reads (snappy-java, librdkafka and KafkaJS all detect the magic header and
 * fall back to raw otherwise).
 *
 * Xerial layout: magic 0x82 'SNAPPY' 0x00 (8 bytes), int32 version, int32 compatible version,
 * then blocks of int32 compressed length + one raw snappy block each.
 */

import { CompressionError } from './compression-error.ts';
import { snappy } from './native-codecs.ts';

const CODEC = 2;
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
/** snappy-java's default block size; Java consumers buffer one block at a time. */
const XERIAL_BLOCK_SIZE = 32 * 1024;
/**
 * Upper bound on snappy's expansion: its best element is a 3-byte copy producing 64 bytes. A raw block
 * that declares more than this times its own size is corrupt, so it is refused before the native
 * decoder allocates the declared length.
 */
const MAX_EXPANSION = 22;

export function isXerialFramed(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_SIZE && data.compare(XERIAL_MAGIC, 0, 8, 0, 8) === 0;
}

/** Uncompressed length declared at the start of a raw snappy block (a uvarint of up to 5 bytes). */
function declaredLength(block: Buffer): number {
  let result = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const b = block[i]!;
    result += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return result;
  }
  throw new CompressionError(CODEC, 'snappy: corrupt block length');
}

function checkBlock(block: Buffer, budget: number): number {
  const n = declaredLength(block);
  if (n > block.length * MAX_EXPANSION) {
    throw new CompressionError(CODEC, `snappy: block declares ${n} bytes from ${block.length}, corrupt`);
  }
  if (n > budget) throw new CompressionError(CODEC, `snappy: output exceeds limit of ${budget} bytes`);
  return n;
}

function uncompressRaw(block: Buffer): Buffer {
  try {
    return snappy().uncompressSync(block, { asBuffer: true }) as Buffer;
  } catch (err) {
    throw new CompressionError(CODEC, `snappy: ${(err as Error).message}`, { cause: err });
  }
}

/** Compressed blocks of a xerial stream, as subarrays (no copies). */
function xerialBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let at = XERIAL_HEADER_SIZE;
  while (at < data.length) {
    if (data.length - at < 4) throw new CompressionError(CODEC, 'snappy: truncated xerial block length');
    const len = data.readInt32BE(at);
    at += 4;
    if (len < 0 || len > data.length - at) {
      throw new CompressionError(CODEC, `snappy: xerial block length ${len} past end of input`);
    }
    blocks.push(data.subarray(at, at + len));
    at += len;
  }
  return blocks;
}

export function snappyDecompress(data: Buffer, maxOutputLength: number): Buffer {
  if (!isXerialFramed(data)) {
    checkBlock(data, maxOutputLength);
    return uncompressRaw(data);
  }
  const blocks = xerialBlocks(data);
  let budget = maxOutputLength;
  for (const block of blocks) budget -= checkBlock(block, budget);
  const out = blocks.map(uncompressRaw);
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

export async function snappyDecompressAsync(data: Buffer, maxOutputLength: number): Promise<Buffer> {
  const blocks = isXerialFramed(data) ? xerialBlocks(data) : null;
  let budget = maxOutputLength;
  for (const block of blocks ?? [data]) budget -= checkBlock(block, budget);
  const one = async (block: Buffer): Promise<Buffer> => {
    try {
      return (await snappy().uncompress(block, { asBuffer: true })) as Buffer;
    } catch (err) {
      throw new CompressionError(CODEC, `snappy: ${(err as Error).message}`, { cause: err });
    }
  };
  if (blocks === null) return one(data);
  const out = await Promise.all(blocks.map(one));
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

function xerialHeader(): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  return header;
}

function frame(compressed: Buffer[]): Buffer {
  const parts: Buffer[] = [xerialHeader()];
  for (const c of compressed) {
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(c.length, 0);
    parts.push(len, c);
  }
  return Buffer.concat(parts);
}

function chunks(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_SIZE) {
    out.push(data.subarray(at, at + XERIAL_BLOCK_SIZE));
  }
  return out;
}

export function snappyCompress(data: Buffer): Buffer {
  return frame(chunks(data).map((c) => snappy().compressSync(c)));
}

export async function snappyCompressAsync(data: Buffer): Promise<Buffer> {
  return frame(await Promise.all(chunks(data).map((c) => snappy().compress(c))));
}
