/**
 * Confluent's wire format for records serialized with a schema registry: magic byte 0, the schema
 * id as a big-endian int32, then the payload. Protobuf payloads are preceded by the message indexes
 * that locate the message type in the schema file: a zigzag varint count then each index as a
 * zigzag varint, with the common case `[0]` (the first top-level message) written as a single 0.
 */

export const MAGIC_BYTE = 0;

/** Bytes that are not in the wire format (the deserializer's error). */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

export interface WireRecord {
  id: number;
  /** The bytes after the id (for Protobuf: after the message indexes too). */
  payload: Buffer;
  /** Protobuf only. */
  messageIndexes?: number[];
}

/** The schema id of wire-format bytes, without copying. */
export function schemaIdOf(bytes: Buffer): number {
  if (bytes.length < 5)
    throw new WireFormatError(
      `Record of ${bytes.length} bytes is too short for the wire format (magic byte and 4-byte schema id)`,
    );
  if (bytes[0] !== MAGIC_BYTE)
    throw new WireFormatError(`Unknown magic byte ${bytes[0]}: not serialized with a schema registry`);
  return bytes.readInt32BE(1);
}

/** Magic byte + id + payload. */
export function encodeWire(id: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + payload.length);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(id, 1);
  out.set(payload, 5);
  return out;
}

export function decodeWire(bytes: Buffer): WireRecord {
  const id = schemaIdOf(bytes);
  return { id, payload: bytes.subarray(5) };
}

function zigzag(n: number): number {
  return (n << 1) ^ (n >> 31);
}

function writeVarint(out: number[], value: number): void {
  let v = value >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

/** The message-index prefix for Protobuf payloads. */
export function encodeMessageIndexes(indexes: readonly number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0]);
  const out: number[] = [];
  writeVarint(out, zigzag(indexes.length));
  for (const i of indexes) writeVarint(out, zigzag(i));
  return Buffer.from(out);
}

function readVarint(bytes: Buffer, at: { pos: number }): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (at.pos >= bytes.length) throw new WireFormatError('Truncated Protobuf message indexes');
    const b = bytes[at.pos++]!;
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw new WireFormatError('Malformed Protobuf message indexes');
  }
  return (result >>> 1) ^ -(result & 1);
}

/** Splits a Protobuf payload (after the id) into its message indexes and the message bytes. */
export function decodeMessageIndexes(payload: Buffer): { indexes: number[]; message: Buffer } {
  const at = { pos: 0 };
  const count = readVarint(payload, at);
  if (count === 0) return { indexes: [0], message: payload.subarray(at.pos) };
  if (count < 0 || count > 100) throw new WireFormatError(`Invalid Protobuf message index count ${count}`);
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) {
    const index = readVarint(payload, at);
    if (index < 0) throw new WireFormatError(`Invalid Protobuf message index ${index}`);
    indexes.push(index);
  }
  return { indexes, message: payload.subarray(at.pos) };
}

export function encodeProtobufWire(id: number, indexes: readonly number[], message: Uint8Array): Buffer {
  const prefix = encodeMessageIndexes(indexes);
  const out = Buffer.allocUnsafe(5 + prefix.length + message.length);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(id, 1);
  prefix.copy(out, 5);
  out.set(message, 5 + prefix.length);
  return out;
}

export function decodeProtobufWire(bytes: Buffer): WireRecord & { messageIndexes: number[] } {
  const id = schemaIdOf(bytes);
  const { indexes, message } = decodeMessageIndexes(bytes.subarray(5));
  return { id, payload: message, messageIndexes: indexes };
}
