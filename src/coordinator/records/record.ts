/**
 * Encoding and decoding of whole __consumer_offsets records: the int16 key version says which
 * schema follows (0/1 offset commit, 2 group metadata). Other key versions (KIP-848 consumer
 * groups, share groups) are reported as 'other' so a replay can skip them.
 */
import { DecodeError, Reader } from '../../protocol/primitives/index.ts';
import type { StoredRecord } from '../types.ts';
import {
  decodeGroupMetadataKeyBody,
  decodeGroupMetadataValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  type GroupMetadataKey,
  type GroupMetadataValue,
} from './group-metadata.ts';
import {
  decodeOffsetCommitKeyBody,
  decodeOffsetCommitValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type OffsetCommitKey,
  type OffsetCommitValue,
} from './offset-commit.ts';

export type CoordinatorRecord =
  | { type: 'offset'; key: OffsetCommitKey; value: OffsetCommitValue | null }
  | { type: 'group'; key: GroupMetadataKey; value: GroupMetadataValue | null }
  | { type: 'other'; keyVersion: number };

export function decodeRecord(record: StoredRecord): CoordinatorRecord {
  const r = new Reader(record.key);
  const keyVersion = r.readInt16();
  if (keyVersion === 0 || keyVersion === 1) {
    const key = decodeOffsetCommitKeyBody(r);
    return {
      type: 'offset',
      key,
      value: record.value === null ? null : decodeOffsetCommitValue(record.value),
    };
  }
  if (keyVersion === 2) {
    const key = decodeGroupMetadataKeyBody(r);
    return {
      type: 'group',
      key,
      value: record.value === null ? null : decodeGroupMetadataValue(record.value),
    };
  }
  if (keyVersion < 0) throw new DecodeError(`negative record key version ${keyVersion}`);
  return { type: 'other', keyVersion };
}

export function offsetCommitRecord(key: OffsetCommitKey, value: OffsetCommitValue | null): StoredRecord {
  return { key: encodeOffsetCommitKey(key), value: value === null ? null : encodeOffsetCommitValue(value) };
}

export function groupMetadataRecord(key: GroupMetadataKey, value: GroupMetadataValue | null): StoredRecord {
  return { key: encodeGroupMetadataKey(key), value: value === null ? null : encodeGroupMetadataValue(value) };
}
