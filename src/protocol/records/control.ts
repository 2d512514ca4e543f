/**
 * Transaction control records (commit/abort markers) and the batch that carries one.
 *
 * Key: version int16 (0) + type int16 (0 ABORT, 1 COMMIT). Value (EndTxnMarker): version int16 (0)
 * + coordinatorEpoch int32. A control batch has the transactional and control attributes set, no
 * compression, baseSequence -1, and holds one record at offsetDelta 0.
 */
import { DecodeError } from '../primitives/index.ts';
import { buildRecordBatch } from './batch.ts';
import type { Record } from './record.ts';

export const CONTROL_TYPE_ABORT = 0;
export const CONTROL_TYPE_COMMIT = 1;

export interface ControlKey {
  version: number;
  /** 0 ABORT, 1 COMMIT; other values are passed through for the caller to reject. */
  type: number;
}

export interface ControlValue {
  version: number;
  coordinatorEpoch: number;
}

export function encodeControlKey(type: number, version = 0): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt16BE(version, 0);
  b.writeInt16BE(type, 2);
  return b;
}

export function decodeControlKey(key: Buffer | null): ControlKey {
  if (key === null || key.length < 4)
    throw new DecodeError(`control record key needs 4 bytes, got ${key?.length ?? 'null'}`);
  const version = key.readInt16BE(0);
  if (version < 0) throw new DecodeError(`invalid control record key version ${version}`);
  return { version, type: key.readInt16BE(2) };
}

export function encodeControlValue(coordinatorEpoch: number, version = 0): Buffer {
  const b = Buffer.allocUnsafe(6);
  b.writeInt16BE(version, 0);
  b.writeInt32BE(coordinatorEpoch, 2);
  return b;
}

/** Later value versions may append fields; the first six bytes keep their meaning. */
export function decodeControlValue(value: Buffer | null): ControlValue {
  if (value === null || value.length < 6) {
    throw new DecodeError(`control record value needs 6 bytes, got ${value?.length ?? 'null'}`);
  }
  const version = value.readInt16BE(0);
  if (version < 0) throw new DecodeError(`invalid control record value version ${version}`);
  return { version, coordinatorEpoch: value.readInt32BE(2) };
}

export interface ControlBatchOptions {
  type: typeof CONTROL_TYPE_ABORT | typeof CONTROL_TYPE_COMMIT | 'abort' | 'commit';
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch?: number;
  /** Default now. */
  timestamp?: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
}

/** A complete control batch holding one commit or abort marker. */
export function buildControlBatch(opts: ControlBatchOptions): Buffer {
  const type =
    opts.type === 'abort' ? CONTROL_TYPE_ABORT : opts.type === 'commit' ? CONTROL_TYPE_COMMIT : opts.type;
  const record: Record = {
    offsetDelta: 0,
    timestampDelta: 0,
    key: encodeControlKey(type),
    value: encodeControlValue(opts.coordinatorEpoch ?? 0),
    headers: [],
  };
  return buildRecordBatch({
    records: [record],
    baseOffset: opts.baseOffset ?? 0,
    partitionLeaderEpoch: opts.partitionLeaderEpoch ?? -1,
    producerId: opts.producerId,
    producerEpoch: opts.producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true,
    baseTimestamp: opts.timestamp ?? Date.now(),
  });
}
