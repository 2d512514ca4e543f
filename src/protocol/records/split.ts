/**
 * Walking a buffer of concatenated record batches (a segment slice, a Fetch response's records)
 * by their length fields alone, without touching record bytes. A trailing batch that is cut off is
 * normal in Fetch responses: iteration stops before it and reports how many bytes were complete.
 */
import { DecodeError } from '../primitives/index.ts';
import {
  BATCH_HEADER_SIZE,
  type BatchHeader,
  LOG_OVERHEAD,
  OFFSET_BATCH_LENGTH,
  readBatchHeader,
} from './batch-header.ts';

export interface BatchSpan {
  /** Byte position of the batch in the buffer. */
  offset: number;
  /** Total bytes of the batch, LOG_OVERHEAD included. */
  size: number;
  header: BatchHeader;
}

export interface SplitResult {
  batches: BatchSpan[];
  /** Bytes covered by complete batches (where the partial tail, if any, starts). */
  completeBytes: number;
  /** Bytes of the trailing partial batch (0 when the buffer ends on a batch boundary). */
  partialBytes: number;
}

/**
 * Yields each complete batch from `from` on; the generator's return value is the byte position
 * where the complete batches end. A batchLength too small to hold a v2 header is corruption, not a
 * partial batch, and throws DecodeError. Magic and CRC are not checked here.
 */
export function* iterateBatches(buf: Buffer, from = 0): Generator<BatchSpan, number, undefined> {
  let at = from;
  while (buf.length - at >= LOG_OVERHEAD) {
    const size = LOG_OVERHEAD + buf.readInt32BE(at + OFFSET_BATCH_LENGTH);
    if (size < BATCH_HEADER_SIZE) {
      throw new DecodeError(`record batch at ${at} declares ${size} bytes, less than a header`);
    }
    if (size > buf.length - at) break;
    yield { offset: at, size, header: readBatchHeader(buf, at) };
    at += size;
  }
  return at;
}

export function splitBatches(buf: Buffer, from = 0): SplitResult {
  const batches: BatchSpan[] = [];
  const it = iterateBatches(buf, from);
  for (let next = it.next(); ; next = it.next()) {
    if (next.done)
      return { batches, completeBytes: next.value - from, partialBytes: buf.length - next.value };
    batches.push(next.value);
  }
}
