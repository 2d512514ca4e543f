/** Kafka wire primitives: bounds-checked Reader, chunked zero-copy Writer, DecodeError. */
export { DecodeError } from './decode-error.ts';
export { Reader } from './reader.ts';
export { Writer } from './writer.ts';
