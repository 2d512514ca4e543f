/**
 * Walks the RecordBatch headers of a `.log` file range with large chunked reads (one syscall per
 * chunk, not per batch). The visitor sees each batch in a scratch buffer that is reused, so it must
 * not keep references. Framing problems (a length below the header size, a batch running past the
 * end, a partial header) stop the walk and are reported; content checks are the visitor's.
 */
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, OFFSET_BATCH_LENGTH } from '../protocol/records/batch-header.ts';
import { readFully } from './file-io.ts';

export type ScanStop = 'end' | 'visitor' | 'partial-batch' | 'bad-length';

export interface ScanResult {
  /** File position where the walk stopped: the end, or the start of the batch that stopped it. */
  position: number;
  stop: ScanStop;
}

export interface ScanOptions {
  /** Load each whole batch (for CRC checks or decoding); otherwise only its header. */
  body: boolean;
  chunkBytes?: number;
}

/** Called per batch with the buffer, the batch's index in it, its file position and size; false stops. */
export type BatchVisitor = (buf: Buffer, at: number, position: number, size: number) => boolean;

export function scanBatches(
  fd: number,
  from: number,
  end: number,
  opts: ScanOptions,
  visit: BatchVisitor,
): ScanResult {
  const chunkBytes = opts.chunkBytes ?? 1024 * 1024;
  let chunk = Buffer.allocUnsafeSlow(Math.min(chunkBytes, Math.max(BATCH_HEADER_SIZE, end - from)));
  let chunkPos = 0;
  let chunkLen = 0;

  const ensure = (pos: number, n: number): boolean => {
    if (pos >= chunkPos && pos + n <= chunkPos + chunkLen) return true;
    const want = Math.min(Math.max(n, chunkBytes), end - pos);
    if (want > chunk.length) chunk = Buffer.allocUnsafeSlow(want);
    chunkPos = pos;
    chunkLen = readFully(fd, chunk, want, pos);
    return chunkLen >= n;
  };

  let pos = from;
  while (pos < end) {
    if (end - pos < BATCH_HEADER_SIZE || !ensure(pos, BATCH_HEADER_SIZE)) {
      return { position: pos, stop: 'partial-batch' };
    }
    const size = LOG_OVERHEAD + chunk.readInt32BE(pos - chunkPos + OFFSET_BATCH_LENGTH);
    if (size < BATCH_HEADER_SIZE) return { position: pos, stop: 'bad-length' };
    if (pos + size > end) return { position: pos, stop: 'partial-batch' };
    if (opts.body && !ensure(pos, size)) return { position: pos, stop: 'partial-batch' };
    if (!visit(chunk, pos - chunkPos, pos, size)) return { position: pos, stop: 'visitor' };
    pos += size;
  }
  return { position: pos, stop: 'end' };
}
