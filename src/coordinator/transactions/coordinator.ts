/**
 * TransactionCoordinator: owns every transactional id's metadata, persists each transition to the
 * transaction log (`TxnStore`, __transaction_state in the broker) before acting on it, and asks the
 * `MarkerWriter` to write COMMIT/ABORT control batches to the transaction's partitions. Operations on
 * one transactional id run one at a time (a per-id chain). Timed-out transactions are aborted by a
 * periodic check on the injected clock, with the epoch bumped so the old producer is fenced.
 * Producer ids for idempotent producers come from the same ProducerIdManager.
 */

import { ErrorCode } from '../../protocol/errors.ts';
import { type Clock, realClock } from '../clock.ts';
import type { StoredRecord } from '../types.ts';
import type { ProducerIdManager } from './producer-ids.ts';
import {
  addPartitionsTransition,
  completeTransition,
  endTxnTransition,
  fenceAbortTransition,
  initProducerIdTransition,
  isTimedOut,
  newTxn,
  partitionList,
  type TopicPartition,
  type Transition,
  type TxnMetadata,
} from './state.ts';
import { decodeTxnRecord, txnRecord, txnTombstone } from './txn-log.ts';

export interface TxnStore {
  /** Resolves once the records are durable. */
  append(records: StoredRecord[]): Promise<void>;
}

export interface MarkerWriter {
  /** Writes a control batch (commit or abort) for the producer to every partition; resolves when durable. */
  writeMarkers(
    producerId: number,
    producerEpoch: number,
    commit: boolean,
    partitions: TopicPartition[],
  ): Promise<void>;
}

export interface TransactionCoordinatorConfig {
  /** transaction.max.timeout.ms */
  maxTransactionTimeoutMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  abortTimedOutIntervalMs: number;
  /** transactional.id.expiration.ms: an id with no transaction in progress is forgotten after this. */
  transactionalIdExpirationMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  removeExpiredIntervalMs: number;
}

export const DEFAULT_TRANSACTION_CONFIG: TransactionCoordinatorConfig = {
  maxTransactionTimeoutMs: 900_000,
  abortTimedOutIntervalMs: 10_000,
  transactionalIdExpirationMs: 604_800_000,
  removeExpiredIntervalMs: 3_600_000,
};

/** States in which no transaction is in progress, so the id may expire. */
const EXPIRABLE_STATES: ReadonlySet<string> = new Set(['Empty', 'CompleteCommit', 'CompleteAbort']);

export interface TransactionCoordinatorOptions {
  store: TxnStore;
  markers: MarkerWriter;
  producerIds: ProducerIdManager;
  clock?: Clock;
  config?: Partial<TransactionCoordinatorConfig>;
  onError?: (error: unknown) => void;
}

export interface InitProducerIdResult {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export class TransactionCoordinator {
  readonly config: TransactionCoordinatorConfig;
  private readonly store: TxnStore;
  private readonly markers: MarkerWriter;
  private readonly producerIds: ProducerIdManager;
  private readonly clock: Clock;
  private readonly onError: (error: unknown) => void;
  private readonly txns = new Map<string, TxnMetadata>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private timer: unknown = null;
  private expiryTimer: unknown = null;
  private active = true;

  constructor(options: TransactionCoordinatorOptions) {
    this.config = { ...DEFAULT_TRANSACTION_CONFIG, ...options.config };
    this.store = options.store;
    this.markers = options.markers;
    this.producerIds = options.producerIds;
    this.clock = options.clock ?? realClock;
    this.onError = options.onError ?? (() => {});
    this.repeat(
      this.config.abortTimedOutIntervalMs,
      () => this.abortTimedOut(),
      (t) => {
        this.timer = t;
      },
    );
    this.repeat(
      this.config.removeExpiredIntervalMs,
      () => this.removeExpired(),
      (t) => {
        this.expiryTimer = t;
      },
    );
  }

  /** Replays __transaction_state records, then finishes transactions caught in Prepare*. */
  async load(records: Iterable<StoredRecord>): Promise<void> {
    for (const r of records) {
      const { transactionalId, meta } = decodeTxnRecord(r);
      if (meta === null) this.txns.delete(transactionalId);
      else this.txns.set(transactionalId, meta);
    }
    for (const meta of [...this.txns.values()]) {
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') {
        await this.serial(meta.transactionalId, () => this.complete(meta));
      }
    }
  }

  get(transactionalId: string): TxnMetadata | undefined {
    return this.txns.get(transactionalId);
  }

  all(): TxnMetadata[] {
    return [...this.txns.values()];
  }

  initProducerId(
    transactionalId: string | null,
    timeoutMs: number,
    expected: { producerId: number; epoch: number } | null,
  ): Promise<InitProducerIdResult> {
    if (!this.active) return Promise.resolve(fail(ErrorCode.NOT_COORDINATOR));
    if (transactionalId === null || transactionalId === '') {
      return Promise.resolve({
        errorCode: ErrorCode.NONE,
        producerId: this.producerIds.nextId(),
        producerEpoch: 0,
      });
    }
    if (timeoutMs <= 0 || timeoutMs > this.config.maxTransactionTimeoutMs) {
      return Promise.resolve(fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT));
    }
    return this.serial(transactionalId, async () => {
      const now = this.clock.now();
      let meta = this.txns.get(transactionalId);
      if (meta === undefined) {
        const created = newTxn(transactionalId, this.producerIds.nextId(), timeoutMs, now);
        await this.persist(created);
        return {
          errorCode: ErrorCode.NONE,
          producerId: created.producerId,
          producerEpoch: created.producerEpoch,
        };
      }
      if (meta.state === 'Ongoing') {
        // A new instance (or a KIP-360 bump) while a transaction is open: abort it, fencing the old epoch.
        meta = await this.abortFenced(meta);
      }
      const t = initProducerIdTransition(meta, timeoutMs, expected, () => this.producerIds.nextId(), now);
      if ('error' in t) return fail(t.error);
      await this.persist(t.next);
      return {
        errorCode: ErrorCode.NONE,
        producerId: t.next.producerId,
        producerEpoch: t.next.producerEpoch,
      };
    });
  }

  /** AddPartitionsToTxn (verifyOnly: only check that they are part of the transaction). */
  addPartitions(
    transactionalId: string,
    producerId: number,
    epoch: number,
    partitions: TopicPartition[],
    verifyOnly = false,
  ): Promise<number> {
    if (!this.active) return Promise.resolve(ErrorCode.NOT_COORDINATOR);
    return this.serial(transactionalId, async () => {
      const meta = this.txns.get(transactionalId);
      if (verifyOnly) {
        if (meta === undefined || meta.producerId !== producerId)
          return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
        if (meta.producerEpoch !== epoch) return ErrorCode.PRODUCER_FENCED;
        const all =
          meta.state === 'Ongoing' &&
          partitions.every((tp) => meta.partitions.get(tp.topic)?.has(tp.partition));
        return all ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
      }
      return this.apply(addPartitionsTransition(meta, producerId, epoch, partitions, this.clock.now()), meta);
    });
  }

  endTxn(
    transactionalId: string,
    producerId: number,
    epoch: number,
    commit: boolean,
  ): Promise<InitProducerIdResult> {
    if (!this.active) return Promise.resolve(fail(ErrorCode.NOT_COORDINATOR));
    return this.serial(transactionalId, async () => {
      const meta = this.txns.get(transactionalId);
      const t = endTxnTransition(meta, producerId, epoch, commit, this.clock.now());
      if ('error' in t) return fail(t.error);
      if (t.next !== meta) {
        await this.persist(t.next);
        await this.complete(t.next);
      }
      const cur = this.txns.get(transactionalId)!;
      return { errorCode: ErrorCode.NONE, producerId: cur.producerId, producerEpoch: cur.producerEpoch };
    });
  }

  /** One timeout pass now (it also runs every abortTimedOutIntervalMs). Returns the aborted ids. */
  async abortTimedOut(): Promise<string[]> {
    const now = this.clock.now();
    const expired = [...this.txns.values()].filter((m) => isTimedOut(m, now)).map((m) => m.transactionalId);
    const aborted: string[] = [];
    for (const id of expired) {
      await this.serial(id, async () => {
        const meta = this.txns.get(id);
        if (meta === undefined || !isTimedOut(meta, this.clock.now())) return;
        await this.abortFenced(meta);
        aborted.push(id);
      });
    }
    return aborted;
  }

  /**
   * Forgets transactional ids idle for transactional.id.expiration.ms, as Kafka does: no
   * transaction in progress (Empty, CompleteCommit, CompleteAbort) and no update for that long. A
   * tombstone goes to __transaction_state; the next InitProducerId for the id starts over with a
   * new producer id. Runs every removeExpiredIntervalMs; returns the removed ids.
   */
  async removeExpired(): Promise<string[]> {
    const expired = (m: TxnMetadata, now: number): boolean =>
      EXPIRABLE_STATES.has(m.state) && now - m.lastUpdateTimestamp >= this.config.transactionalIdExpirationMs;
    const now = this.clock.now();
    const candidates = [...this.txns.values()].filter((m) => expired(m, now)).map((m) => m.transactionalId);
    const removed: string[] = [];
    for (const id of candidates) {
      await this.serial(id, async () => {
        const meta = this.txns.get(id);
        if (meta === undefined || !expired(meta, this.clock.now())) return;
        await this.store.append([txnTombstone(id)]);
        this.txns.delete(id);
        removed.push(id);
      });
    }
    return removed;
  }

  shutdown(): void {
    this.active = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    if (this.expiryTimer !== null) this.clock.clearTimeout(this.expiryTimer);
    this.timer = null;
    this.expiryTimer = null;
  }

  /** Runs `pass` every `intervalMs` (after the previous run finished) until shutdown. */
  private repeat(intervalMs: number, pass: () => Promise<unknown>, setTimer: (t: unknown) => void): void {
    setTimer(
      this.clock.setTimeout(() => {
        if (!this.active) return;
        const again = (): void => this.repeat(intervalMs, pass, setTimer);
        pass().then(again, (err: unknown) => {
          this.onError(err);
          again();
        });
      }, intervalMs),
    );
  }

  private async apply(t: Transition, current: TxnMetadata | undefined): Promise<number> {
    if ('error' in t) return t.error;
    if (t.next !== current) await this.persist(t.next);
    return ErrorCode.NONE;
  }

  private async abortFenced(meta: TxnMetadata): Promise<TxnMetadata> {
    const prepared = fenceAbortTransition(meta, this.clock.now());
    await this.persist(prepared);
    return this.complete(prepared);
  }

  /** Writes the markers of a Prepare* transaction and records its completion. */
  private async complete(prepared: TxnMetadata): Promise<TxnMetadata> {
    const commit = prepared.state === 'PrepareCommit';
    await this.markers.writeMarkers(
      prepared.producerId,
      prepared.producerEpoch,
      commit,
      partitionList(prepared),
    );
    const done = completeTransition(prepared, this.clock.now());
    await this.persist(done);
    return done;
  }

  private async persist(meta: TxnMetadata): Promise<void> {
    await this.store.append([txnRecord(meta)]);
    this.txns.set(meta.transactionalId, meta);
  }

  private serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    this.chains.set(id, tail);
    tail.then(() => {
      if (this.chains.get(id) === tail) this.chains.delete(id);
    });
    return run;
  }
}

function fail(errorCode: number): InitProducerIdResult {
  return { errorCode, producerId: -1, producerEpoch: -1 };
}
