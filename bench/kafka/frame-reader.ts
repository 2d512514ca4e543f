/**
 * Splits a TCP byte stream into Kafka frames (4-byte big-endian size + body). Frames wholly inside
 * one chunk are handed out as subarrays; a frame spanning chunks is joined once, when complete.
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private buffered = 0;
  /** Size of the frame being collected (with its prefix), or -1 until 4 bytes are known. */
  private need = -1;

  push(chunk: Buffer, onFrame: (body: Buffer) => void): void {
    if (this.pending.length === 0) {
      this.scan(chunk, onFrame);
      return;
    }
    this.pending.push(chunk);
    this.buffered += chunk.length;
    if (this.need < 0) {
      if (this.buffered < 4) return;
      const head = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
      this.pending = [head];
      this.need = 4 + head.readInt32BE(0);
    }
    if (this.buffered < this.need) return;
    const all = Buffer.concat(this.pending, this.buffered);
    this.pending = [];
    this.buffered = 0;
    this.need = -1;
    this.scan(all, onFrame);
  }

  private scan(buf: Buffer, onFrame: (body: Buffer) => void): void {
    let off = 0;
    const len = buf.length;
    while (off + 4 <= len) {
      const size = buf.readInt32BE(off);
      if (off + 4 + size > len) break;
      onFrame(buf.subarray(off + 4, off + 4 + size));
      off += 4 + size;
    }
    if (off < len) {
      const rest = buf.subarray(off);
      this.pending = [rest];
      this.buffered = rest.length;
      this.need = rest.length >= 4 ? 4 + rest.readInt32BE(0) : -1;
    }
  }
}
