/**
 * OffsetCommitKey (versions 0-1) and OffsetCommitValue (versions 0-4) of __consumer_offsets,
 * hand-coded from Kafka's internal schemas. We write key version 1 and value version 3 (version 1
 * when an explicit expire timestamp is kept), as Kafka does; every version is read.
 */
import { DecodeError, Reader, Writer } from '../../protocol/primitives/index.ts';
import { readStr, skipTaggedFields } from './flexible.ts';

export const OFFSET_COMMIT_KEY_VERSION = 1;

export interface OffsetCommitKey {
  group: string;
  topic: string;
  partition: number;
}

export interface OffsetCommitValue {
  offset: bigint;
  /** -1 when unknown (and in value versions before 3). */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: bigint;
  /** Only in value version 1; -1 otherwise. */
  expireTimestamp: bigint;
}

export function encodeOffsetCommitKey(key: OffsetCommitKey): Buffer {
  return new Writer(64)
    .writeInt16(OFFSET_COMMIT_KEY_VERSION)
    .writeString(key.group)
    .writeString(key.topic)
    .writeInt32(key.partition)
    .toBuffer();
}

/** Decodes the fields after the int16 key version (0 or 1: same layout). */
export function decodeOffsetCommitKeyBody(r: Reader): OffsetCommitKey {
  return { group: r.readString(), topic: r.readString(), partition: r.readInt32() };
}

export function encodeOffsetCommitValue(value: OffsetCommitValue): Buffer {
  const w = new Writer(64);
  if (value.expireTimestamp >= 0n) {
    w.writeInt16(1).writeInt64(value.offset).writeString(value.metadata);
    w.writeInt64(value.commitTimestamp).writeInt64(value.expireTimestamp);
  } else {
    w.writeInt16(3).writeInt64(value.offset).writeInt32(value.leaderEpoch).writeString(value.metadata);
    w.writeInt64(value.commitTimestamp);
  }
  return w.toBuffer();
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue {
  const r = new Reader(buf);
  const version = r.readInt16();
  if (version < 0 || version > 4) throw new DecodeError(`unknown OffsetCommitValue version ${version}`);
  const flexible = version >= 4;
  const offset = r.readInt64();
  const leaderEpoch = version >= 3 ? r.readInt32() : -1;
  const metadata = readStr(r, flexible);
  const commitTimestamp = r.readInt64();
  const expireTimestamp = version === 1 ? r.readInt64() : -1n;
  if (flexible) skipTaggedFields(r);
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}
