/**
 * DecodeError: thrown by Reader when bytes on the wire do not form a valid value (a length past the
 * end of the buffer, a varint that never ends, a negative length where none is allowed). The
 * connection layer turns it into a closed connection or a CORRUPT_MESSAGE / INVALID_REQUEST answer;
 * it never escapes to crash the process.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}
