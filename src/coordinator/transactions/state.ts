/**
 * Transaction metadata and its pure transitions (Kafka's TransactionMetadata / TransactionCoordinator
 * rules). Every function takes the current metadata and returns an error code or the next metadata;
 * nothing here does I/O or reads a clock (`now` is passed in).
 *
 * States: Empty → Ongoing (AddPartitions/AddOffsets) → PrepareCommit | PrepareAbort (EndTxn or
 * timeout) → CompleteCommit | CompleteAbort (markers written) → Ongoing (next AddPartitions) …
 * InitProducerId on any non-Prepare state bumps the epoch and returns to Empty; an Ongoing
 * transaction is aborted first (with the epoch bumped, fencing the old producer).
 */
import { ErrorCode } from '../../protocol/errors.ts';

export const TXN_STATES = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
] as const;
export type TxnState = (typeof TXN_STATES)[number];

/** The int8 transaction_status of TransactionLogValue is the index in TXN_STATES. */
export function stateCode(state: TxnState): number {
  return TXN_STATES.indexOf(state);
}

export function stateFromCode(code: number): TxnState {
  const s = TXN_STATES[code];
  if (s === undefined) throw new Error(`unknown transaction status ${code}`);
  return s;
}

/** Epochs stop below Short.MaxValue; an exhausted epoch gets a new producer id at epoch 0. */
export const MAX_EPOCH = 32767;
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;

export interface TxnMetadata {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly lastProducerId: number;
  readonly producerEpoch: number;
  readonly lastProducerEpoch: number;
  readonly timeoutMs: number;
  readonly state: TxnState;
  /** "topic" → partitions in the current transaction. */
  readonly partitions: ReadonlyMap<string, ReadonlySet<number>>;
  readonly startTimestamp: number;
  readonly lastUpdateTimestamp: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export type Transition = { error: number } | { next: TxnMetadata };

export function newTxn(
  transactionalId: string,
  producerId: number,
  timeoutMs: number,
  now: number,
): TxnMetadata {
  return {
    transactionalId,
    producerId,
    lastProducerId: NO_PRODUCER_ID,
    producerEpoch: 0,
    lastProducerEpoch: NO_PRODUCER_EPOCH,
    timeoutMs,
    state: 'Empty',
    partitions: new Map(),
    startTimestamp: -1,
    lastUpdateTimestamp: now,
  };
}

export function isEpochExhausted(epoch: number): boolean {
  return epoch >= MAX_EPOCH - 1;
}

export function partitionList(meta: TxnMetadata): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const [topic, ps] of meta.partitions) for (const partition of ps) out.push({ topic, partition });
  return out;
}

/**
 * InitProducerId on an existing transactional id (not Ongoing, not Prepare*): bump the epoch (or move
 * to a new producer id when exhausted) and go to Empty. `expected` is the v3+ producer id/epoch
 * (KIP-360); a retry with the previous epoch gets the current epoch back.
 */
export function initProducerIdTransition(
  meta: TxnMetadata,
  timeoutMs: number,
  expected: { producerId: number; epoch: number } | null,
  newProducerId: () => number,
  now: number,
): Transition {
  if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort' || meta.state === 'PrepareEpochFence') {
    return { error: ErrorCode.CONCURRENT_TRANSACTIONS };
  }
  if (meta.state === 'Ongoing') return { error: ErrorCode.CONCURRENT_TRANSACTIONS };
  if (expected !== null) {
    const valid =
      meta.producerEpoch === NO_PRODUCER_EPOCH ||
      expected.producerId === meta.producerId ||
      (expected.producerId === meta.lastProducerId && isEpochExhausted(expected.epoch));
    if (!valid) return { error: ErrorCode.PRODUCER_FENCED };
    if (expected.producerId === meta.producerId && expected.epoch !== meta.producerEpoch) {
      if (expected.epoch === meta.lastProducerEpoch) {
        return { next: { ...meta, timeoutMs, lastUpdateTimestamp: now } };
      }
      return { error: ErrorCode.PRODUCER_FENCED };
    }
  }
  const base = {
    ...meta,
    timeoutMs,
    state: 'Empty' as const,
    partitions: new Map(),
    startTimestamp: -1,
    lastUpdateTimestamp: now,
  };
  if (isEpochExhausted(meta.producerEpoch)) {
    return {
      next: {
        ...base,
        lastProducerId: meta.producerId,
        producerId: newProducerId(),
        producerEpoch: 0,
        lastProducerEpoch: NO_PRODUCER_EPOCH,
      },
    };
  }
  return { next: { ...base, lastProducerEpoch: meta.producerEpoch, producerEpoch: meta.producerEpoch + 1 } };
}

function checkProducer(meta: TxnMetadata | undefined, producerId: number, epoch: number): number {
  if (meta === undefined || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  if (epoch !== meta.producerEpoch) return ErrorCode.PRODUCER_FENCED;
  if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort' || meta.state === 'PrepareEpochFence') {
    return ErrorCode.CONCURRENT_TRANSACTIONS;
  }
  if (meta.state === 'Dead') return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  return ErrorCode.NONE;
}

/** AddPartitionsToTxn / AddOffsetsToTxn. `next` is the same object when nothing changes. */
export function addPartitionsTransition(
  meta: TxnMetadata | undefined,
  producerId: number,
  epoch: number,
  add: readonly TopicPartition[],
  now: number,
): Transition {
  const error = checkProducer(meta, producerId, epoch);
  if (error !== ErrorCode.NONE || meta === undefined) return { error };
  const ongoing = meta.state === 'Ongoing';
  if (ongoing && add.every((tp) => meta.partitions.get(tp.topic)?.has(tp.partition))) return { next: meta };
  const partitions = new Map<string, Set<number>>();
  if (ongoing) for (const [t, ps] of meta.partitions) partitions.set(t, new Set(ps));
  for (const tp of add) {
    let set = partitions.get(tp.topic);
    if (set === undefined) partitions.set(tp.topic, (set = new Set()));
    set.add(tp.partition);
  }
  return {
    next: {
      ...meta,
      state: 'Ongoing',
      partitions,
      startTimestamp: ongoing ? meta.startTimestamp : now,
      lastUpdateTimestamp: now,
    },
  };
}

/**
 * EndTxn: Ongoing → PrepareCommit/PrepareAbort. A retry of the completed outcome answers NONE with
 * `next` unchanged (state Complete*); the other outcome, or Empty, is INVALID_TXN_STATE.
 */
export function endTxnTransition(
  meta: TxnMetadata | undefined,
  producerId: number,
  epoch: number,
  commit: boolean,
  now: number,
): Transition {
  const error = checkProducer(meta, producerId, epoch);
  if (error !== ErrorCode.NONE || meta === undefined) return { error };
  switch (meta.state) {
    case 'Ongoing':
      return {
        next: { ...meta, state: commit ? 'PrepareCommit' : 'PrepareAbort', lastUpdateTimestamp: now },
      };
    case 'CompleteCommit':
      return commit ? { next: meta } : { error: ErrorCode.INVALID_TXN_STATE };
    case 'CompleteAbort':
      return commit ? { error: ErrorCode.INVALID_TXN_STATE } : { next: meta };
    default:
      return { error: ErrorCode.INVALID_TXN_STATE };
  }
}

/**
 * Aborting an Ongoing transaction from the coordinator (timeout, or InitProducerId from a new
 * instance): the epoch is bumped so the old producer is fenced, and the markers carry the new epoch.
 */
export function fenceAbortTransition(meta: TxnMetadata, now: number): TxnMetadata {
  const bump = !isEpochExhausted(meta.producerEpoch);
  return {
    ...meta,
    state: 'PrepareAbort',
    lastProducerEpoch: bump ? meta.producerEpoch : meta.lastProducerEpoch,
    producerEpoch: bump ? meta.producerEpoch + 1 : meta.producerEpoch,
    lastUpdateTimestamp: now,
  };
}

/** Markers written: PrepareCommit → CompleteCommit, PrepareAbort → CompleteAbort, partitions cleared. */
export function completeTransition(meta: TxnMetadata, now: number): TxnMetadata {
  return {
    ...meta,
    state: meta.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort',
    partitions: new Map(),
    lastUpdateTimestamp: now,
  };
}

/** Ongoing transactions started more than their timeout before `now`. */
export function isTimedOut(meta: TxnMetadata, now: number): boolean {
  return meta.state === 'Ongoing' && meta.startTimestamp >= 0 && now - meta.startTimestamp > meta.timeoutMs;
}
