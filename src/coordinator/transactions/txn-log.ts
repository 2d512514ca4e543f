/**
 * `__transaction_state` records in Kafka's own formats: key = int16 version 0 + TransactionLogKey,
 * value = int16 version 0 + TransactionLogValue (null value = tombstone). Generated codecs from
 * Kafka's JSON schemas (src/protocol/generated/internal/transaction-log-*.ts).
 */
import {
  readTransactionLogKey,
  writeTransactionLogKey,
} from '../../protocol/generated/internal/transaction-log-key.ts';
import {
  readTransactionLogValue,
  writeTransactionLogValue,
} from '../../protocol/generated/internal/transaction-log-value.ts';
import { Reader, Writer } from '../../protocol/primitives/index.ts';
import type { StoredRecord } from '../types.ts';
import { stateCode, stateFromCode, type TxnMetadata } from './state.ts';

const KEY_VERSION = 0;
const VALUE_VERSION = 0;

export function txnRecord(meta: TxnMetadata): StoredRecord {
  const key = new Writer(64).writeInt16(KEY_VERSION);
  writeTransactionLogKey(key, KEY_VERSION, { transactionalId: meta.transactionalId });
  const value = new Writer(128).writeInt16(VALUE_VERSION);
  writeTransactionLogValue(value, VALUE_VERSION, {
    producerId: BigInt(meta.producerId),
    previousProducerId: BigInt(meta.lastProducerId),
    nextProducerId: -1n,
    producerEpoch: meta.producerEpoch,
    transactionTimeoutMs: meta.timeoutMs,
    transactionStatus: stateCode(meta.state),
    transactionPartitions: [...meta.partitions].map(([topic, ps]) => ({ topic, partitionIds: [...ps] })),
    transactionLastUpdateTimestampMs: BigInt(meta.lastUpdateTimestamp),
    transactionStartTimestampMs: BigInt(meta.startTimestamp),
    clientTransactionVersion: 0,
  });
  return { key: key.toBuffer(), value: value.toBuffer() };
}

export function txnTombstone(transactionalId: string): StoredRecord {
  const key = new Writer(64).writeInt16(KEY_VERSION);
  writeTransactionLogKey(key, KEY_VERSION, { transactionalId });
  return { key: key.toBuffer(), value: null };
}

/** Decodes one record: the transactional id and its metadata, or null for a tombstone. */
export function decodeTxnRecord(record: StoredRecord): { transactionalId: string; meta: TxnMetadata | null } {
  const kr = new Reader(record.key);
  const keyVersion = kr.readInt16();
  const { transactionalId } = readTransactionLogKey(kr, keyVersion);
  if (record.value === null) return { transactionalId, meta: null };
  const vr = new Reader(record.value);
  const v = readTransactionLogValue(vr, vr.readInt16());
  const partitions = new Map<string, Set<number>>();
  for (const p of v.transactionPartitions ?? []) partitions.set(p.topic, new Set(p.partitionIds));
  return {
    transactionalId,
    meta: {
      transactionalId,
      producerId: Number(v.producerId),
      lastProducerId: Number(v.previousProducerId),
      producerEpoch: v.producerEpoch,
      lastProducerEpoch: -1,
      timeoutMs: v.transactionTimeoutMs,
      state: stateFromCode(v.transactionStatus),
      partitions,
      startTimestamp: Number(v.transactionStartTimestampMs),
      lastUpdateTimestamp: Number(v.transactionLastUpdateTimestampMs),
    },
  };
}
