/**
 * CompressionError: an unknown codec id, or compressed bytes that do not decompress (corrupt input,
 * an output larger than the caller's limit). Record decoding lets it through unchanged, so callers
 * distinguish "bad framing" (DecodeError) from "bad payload" (CompressionError) and map both to
 * CORRUPT_MESSAGE.
 */
export class CompressionError extends Error {
  override readonly name = 'CompressionError';
  /** Codec id the failure happened in (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd, other = unknown). */
  readonly codec: number;

  constructor(codec: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.codec = codec;
  }
}
