/**
 * `BatchProducer`: sends whole RecordBatches (record-batch-encoder.ts, one Buffer per batch) with
 * Produce v9 (flexible). Produce requests go on lean connections of the producer's own
 * (kafka-socket.ts, produce-wire.ts: the request encoded once, large batches not copied into it,
 * and written in one writev, one timer per connection, the answer parsed without intermediate
 * objects; plain TCP or TLS), or, with
 * SASL, `connections` given or `leanConnections: false`, over @platformatic/kafka's
 * `ConnectionPool`/`Connection`; Metadata and InitProducerId always use the library's. Like
 * Kafka's producer, it sends one Produce request per leader for every partition that has a batch
 * ready: `send` calls made in the same tick (the emitter hands over one batch per partition at a
 * time) go out together, one batch per partition per request, up to `maxRequestBytes` per request
 * (a larger batch goes alone). Partition leaders come from Metadata v12 and are refreshed on leader
 * errors and lost connections.
 *
 *   const p = new BatchProducer({ bootstrapBrokers: ['127.0.0.1:9092'] });
 *   const { baseOffset } = await p.send('topic', 0, [{ key, value, headers }]);
 *   await p.flush(); await p.close();
 *
 * Idempotent by default (acks=-1, InitProducerId through the library's API): each partition's
 * batches get consecutive sequence numbers when first sent, up to `maxInFlight` (default 5) are in
 * flight per partition and they are acknowledged in the order they were sent. A retriable error
 * (leader change, lost connection, timeout, not enough replicas) holds the partition until every
 * batch in flight has answered, then resends the unacknowledged ones in order with the same producer
 * id and sequence, so a batch whose acknowledgement was lost is not written twice. If the broker no
 * longer knows the sequence (UNKNOWN_PRODUCER_ID, OUT_OF_ORDER_SEQUENCE_NUMBER on the oldest
 * batch), the producer takes a new producer id and sends the unacknowledged batches again from
 * sequence 0. Errors that retrying cannot fix (too large, authorization, invalid record, fenced)
 * reject that batch's promise with a `BatchProducerError` naming the Kafka error; with idempotence
 * the partition's later batches are resent under a new producer id.
 *
 * Non-idempotent (`idempotent: false`, acks 1 or -1): no producer id; `maxInFlight` defaults to 1
 * so retries cannot reorder.
 *
 * Transactions: `transactionalId` with `producerId`/`producerEpoch` given by the caller (who runs
 * InitProducerId, AddPartitionsToTxn and EndTxn) marks batches transactional and names the
 * transactional id in Produce; the producer never re-initialises such an id (a sequence error is
 * then a `BatchProducerError`). It does not talk to the transaction coordinator itself.
 * Each partition's answer in a shared request is handled on its own (its sequence, retries and
 * errors are the partition's); a lost connection or timeout answers every partition of the request.
 * Not done: acks=0, Produce version negotiation below v9.
 */

import type { ConnectionOptions as TlsOptions } from 'node:tls';
import {
  type Broker,
  type Connection,
  ConnectionPool,
  initProducerIdV4,
  type ConnectionOptions as LibConnectionOptions,
  metadataV12,
  produceV11,
  protocolErrorsCodesById,
  type Reader,
  ResponseError,
  type SASLOptions,
  Writer,
} from '@platformatic/kafka';
import { KafkaSocket, type KafkaSocketOptions } from './kafka-socket.ts';
import {
  encodeProduceRequestChunks,
  PRODUCE_KEY,
  type ProduceTopicData,
  parseProduceResponse as parseProduceBody,
} from './produce-wire.ts';
import {
  type BatchCompression,
  type BatchRecord,
  batchRecordCount,
  encodeRecordBatch,
  setBatchProducer,
} from './record-batch-encoder.ts';

export interface BatchProducerOptions {
  /** `host:port` of the bootstrap brokers. */
  bootstrapBrokers: string[];
  tls?: TlsOptions;
  tlsServerName?: boolean | string;
  sasl?: SASLOptions;
  clientId?: string;
  /** Default -1; the idempotent producer requires -1. */
  acks?: -1 | 1;
  /** Default true. */
  idempotent?: boolean;
  /** Default `none`. */
  compression?: BatchCompression;
  /** Batches whose records take fewer bytes go uncompressed (default 0: all compressed; record-batch-encoder.ts). */
  minCompressBytes?: number;
  /** Batches in flight per partition (default 5 idempotent, 1 otherwise; at most 5 idempotent). */
  maxInFlight?: number;
  /**
   * Batches of several partitions share one Produce request up to this many bytes (default 1 MiB,
   * Kafka's `max.request.size`); a larger batch is sent alone.
   */
  maxRequestBytes?: number;
  /** Produce `timeout_ms` and the client-side request timeout (default 30 s). */
  requestTimeoutMs?: number;
  /** A batch not acknowledged after this long is rejected (default: retry until close). */
  deliveryTimeoutMs?: number;
  /** Ask the broker to create missing topics on Metadata (default false). */
  autocreateTopics?: boolean;
  /** Transactional id sent with every Produce (needs producerId and producerEpoch). */
  transactionalId?: string;
  /** A producer id and epoch obtained by the caller (InitProducerId); the producer will not renew it. */
  producerId?: bigint;
  producerEpoch?: number;
  connectTimeoutMs?: number;
  /**
   * Connections of an existing @platformatic/kafka client (`client.connections`) to use instead of
   * opening a pool: its TLS/SASL settings apply, and `close()` leaves it open (its owner closes it;
   * batches not acknowledged then are rejected).
   */
  connections?: ConnectionPool;
  /**
   * Send Produce requests on lean connections of this producer's own (kafka-socket.ts: one write per
   * request, no per-request timer or queue) instead of the library's `Connection` (default true
   * without `sasl` and `connections`; SASL always uses the library's). Metadata and InitProducerId
   * always go through the library.
   */
  leanConnections?: boolean;
}

/** The outcome of `sendWith`: an error, or the result. */
export type SendCallback = (err: Error | null, result: SendResult | null) => void;

export interface SendResult {
  /** Offset of the batch's first record; -1n when the broker reported a duplicate. */
  baseOffset: bigint;
}

/** Kafka error codes this producer acts on. */
const RETRIABLE = new Set([3, 5, 6, 7, 13, 14, 15, 16, 19, 20, 56, 74, 75]);
const REFRESH_METADATA = new Set([3, 5, 6, 13, 56, 74, 75]);
const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
const DUPLICATE_SEQUENCE_NUMBER = 46;
const UNKNOWN_PRODUCER_ID = 59;
/**
 * Client-side codes: -1 connection/metadata trouble (retried), -2 a partition the topic lacks, -3 the
 * connection pool was closed by its owner.
 */
const NO_SUCH_PARTITION = -2;
const POOL_CLOSED = -3;
const PRODUCE_VERSION = 9;
const SEQUENCE_LIMIT = 2 ** 31;

export class BatchProducerError extends Error {
  override name = 'BatchProducerError';
  /** The Kafka error code, or -1 for a client-side error. */
  readonly errorCode: number;
  constructor(message: string, errorCode = -1, options?: ErrorOptions) {
    super(message, options);
    this.errorCode = errorCode;
  }
}

interface Pending {
  batch: Buffer;
  count: number;
  /** Sequence of the first record once sent; -1 before. */
  sequence: number;
  producerId: bigint;
  deadline: number;
  /** Called once with the batch's outcome. */
  done: SendCallback;
  /** The error of the last attempt (set while the partition recovers). */
  error: { code: number; message: string } | null;
  /**
   * The batch's memory is this producer's (BatchPool) and was sent once: back to the pool once
   * acknowledged. Cleared when an attempt fails: its bytes may still sit in a socket's queue.
   */
  pooled: boolean;
}

interface PartitionState {
  topic: string;
  partition: number;
  /** Not yet sent (or sent and failed, waiting to be resent), in sequence order. */
  queue: Pending[];
  /** Sent, no answer yet, in sequence order. */
  inflight: Pending[];
  /** Answered with a retriable error while others were still in flight. */
  failed: Pending[];
  recovering: boolean;
  /** In the list of partitions the next drain looks at. */
  ready: boolean;
  /** Waiting for Metadata to name the partition's leader: its batches wait too. */
  routing: boolean;
  attempts: number;
  producerId: bigint;
  producerEpoch: number;
  nextSequence: number;
  timer: NodeJS.Timeout | null;
}

/** A partition's batch taken for a Produce request. */
interface Entry {
  state: PartitionState;
  p: Pending;
}

type MetadataResponse = Awaited<ReturnType<typeof metadataV12.api.async>>;

interface TopicMetadata {
  /** The topic's error code in the last Metadata answer (0: none). */
  errorCode: number;
  leaders: number[];
  fetched: number;
}

interface ProduceAnswer {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: bigint;
}

function errorName(code: number): string {
  return protocolErrorsCodesById[code] ?? `Kafka error ${code}`;
}

function parseBroker(address: string): Broker {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  return { host, port: Number(address.slice(at + 1)) };
}

/** Batches below this take `Buffer.allocUnsafe` (Node's pool serves the small ones). */
const POOL_MIN_BYTES = 64 * 1024;
/** Pooled memory comes in steps of this size, so that a producer's similar batches fit each other's. */
const POOL_STEP_BYTES = 256 * 1024;
/** Batches above this are not pooled. */
const POOL_MAX_BYTES = 4 * 1024 * 1024;
/** Free buffers kept at most. */
const POOL_MAX_FREE = 8;
const POOL_IDLE_MS = 1000;

/**
 * The memory of a producer's large batches, reused once a batch is acknowledged. A CDC snapshot
 * sends ~512 KiB requests: a fresh Buffer for each was external memory V8 answered with garbage
 * collections (and new pages), as the broker's frames were (frame-scratch.ts). The free buffers go
 * once the producer has had nothing pending for POOL_IDLE_MS.
 */
class BatchPool {
  #free: ArrayBuffer[] = [];
  /** Armed while the free buffers wait to be dropped: one timer, not one per idle moment. */
  #idleTimer: NodeJS.Timeout | null = null;
  /** The memory this pool made (a batch in it may come back). */
  readonly #made = new WeakSet<ArrayBuffer>();

  readonly allocate = (size: number): Buffer => {
    if (size < POOL_MIN_BYTES || size > POOL_MAX_BYTES) return Buffer.allocUnsafe(size);
    const free = this.#free;
    for (let i = free.length - 1; i >= 0; i--) {
      const memory = free[i]!;
      if (memory.byteLength >= size) {
        free.splice(i, 1);
        return Buffer.from(memory, 0, size);
      }
    }
    const memory = Buffer.allocUnsafeSlow(Math.ceil(size / POOL_STEP_BYTES) * POOL_STEP_BYTES)
      .buffer as ArrayBuffer;
    this.#made.add(memory);
    return Buffer.from(memory, 0, size);
  };

  /** A batch `allocate` made in the pool's own memory. */
  owns(batch: Buffer): boolean {
    return this.#made.has(batch.buffer as ArrayBuffer);
  }

  release(batch: Buffer): void {
    if (this.#free.length < POOL_MAX_FREE) this.#free.push(batch.buffer as ArrayBuffer);
  }

  /** The producer has nothing pending: the free buffers go if it still has not in POOL_IDLE_MS. */
  idle(stillIdle: () => boolean): void {
    if (this.#free.length === 0 || this.#idleTimer !== null) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (stillIdle()) this.#free = [];
    }, POOL_IDLE_MS);
    this.#idleTimer.unref();
  }
}

export class BatchProducer {
  readonly #o: Required<
    Pick<
      BatchProducerOptions,
      | 'acks'
      | 'idempotent'
      | 'compression'
      | 'minCompressBytes'
      | 'maxInFlight'
      | 'maxRequestBytes'
      | 'requestTimeoutMs'
      | 'autocreateTopics'
    >
  > & { deliveryTimeoutMs: number; transactionalId: string | null };
  readonly #pool: ConnectionPool;
  readonly #ownPool: boolean;
  /** Lean Produce connections by `host:port` (null: Produce goes through the library's pool). */
  readonly #sockets: Map<string, KafkaSocket> | null;
  readonly #socketOptions: KafkaSocketOptions;
  readonly #bootstrap: Broker[];
  readonly #brokers = new Map<number, Broker>();
  readonly #topics = new Map<string, TopicMetadata>();
  readonly #metadataInFlight = new Map<string, Promise<TopicMetadata>>();
  readonly #partitions = new Map<string, PartitionState>();
  /** Partitions with a batch that can go, sent by the next drain (one per tick). */
  #ready: PartitionState[] = [];
  #drainScheduled = false;
  /** The producer id new sequences are taken under; null until InitProducerId answered. */
  #producerId: { id: bigint; epoch: number } | null = null;
  #producerIdInFlight: Promise<void> | null = null;
  readonly #ownProducerId: boolean;
  #pending = 0;
  #idleWaiters: (() => void)[] = [];
  /** Memory of large batches, reused once they are acknowledged. */
  readonly #batches = new BatchPool();
  #closed = false;

  constructor(options: BatchProducerOptions) {
    const idempotent = options.idempotent ?? true;
    const acks = options.acks ?? -1;
    if (acks !== -1 && acks !== 1) throw new BatchProducerError(`acks must be -1 or 1, got ${String(acks)}`);
    if (idempotent && acks !== -1) throw new BatchProducerError('the idempotent producer needs acks=-1');
    const maxInFlight = options.maxInFlight ?? (idempotent ? 5 : 1);
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || (idempotent && maxInFlight > 5))
      throw new BatchProducerError(`maxInFlight must be 1..${idempotent ? 5 : 'n'}, got ${maxInFlight}`);
    const maxRequestBytes = options.maxRequestBytes ?? 1024 * 1024;
    if (!Number.isInteger(maxRequestBytes) || maxRequestBytes < 1)
      throw new BatchProducerError(`maxRequestBytes must be a positive integer, got ${maxRequestBytes}`);
    if (options.bootstrapBrokers.length === 0) throw new BatchProducerError('no bootstrap broker given');
    const given = options.producerId !== undefined;
    if (given !== (options.producerEpoch !== undefined))
      throw new BatchProducerError('producerId and producerEpoch go together');
    if (options.transactionalId !== undefined && !given)
      throw new BatchProducerError(
        'transactionalId needs the producerId and producerEpoch of its InitProducerId',
      );
    if (given && !idempotent) throw new BatchProducerError('a given producerId needs idempotent: true');
    this.#o = {
      acks,
      idempotent,
      compression: options.compression ?? 'none',
      minCompressBytes: options.minCompressBytes ?? 0,
      maxInFlight,
      maxRequestBytes,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      autocreateTopics: options.autocreateTopics ?? false,
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? Number.POSITIVE_INFINITY,
      transactionalId: options.transactionalId ?? null,
    };
    this.#ownProducerId = !given;
    if (given) this.#producerId = { id: options.producerId!, epoch: options.producerEpoch! };
    this.#bootstrap = options.bootstrapBrokers.map(parseBroker);
    const connection: LibConnectionOptions = {
      connectTimeout: options.connectTimeoutMs ?? 5000,
      requestTimeout: this.#o.requestTimeoutMs + 5000,
      maxInflights: 64,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.tlsServerName ? { tlsServerName: options.tlsServerName } : {}),
      ...(options.sasl ? { sasl: options.sasl } : {}),
    };
    this.#ownPool = options.connections === undefined;
    this.#pool =
      options.connections ?? new ConnectionPool(options.clientId ?? 'samsa-batch-producer', connection);
    // Errors arrive through the request callbacks; the pool's own event would otherwise be unhandled.
    if (this.#ownPool) this.#pool.on('error' as never, () => {});
    const lean = options.leanConnections ?? (this.#ownPool && options.sasl === undefined);
    if (lean && options.sasl !== undefined)
      throw new BatchProducerError('leanConnections cannot do SASL: the library connections do');
    this.#sockets = lean ? new Map() : null;
    this.#socketOptions = {
      clientId: options.clientId ?? 'samsa-batch-producer',
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      requestTimeoutMs: this.#o.requestTimeoutMs + 5000,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.tlsServerName ? { tlsServerName: options.tlsServerName } : {}),
    };
  }

  /** The producer id and epoch in use (null before the first batch or when not idempotent). */
  get producerId(): { id: bigint; epoch: number } | null {
    return this.#producerId;
  }

  /** Number of partitions of `topic` (Metadata; creates the topic when `autocreateTopics`). */
  async partitionCount(topic: string): Promise<number> {
    const known = this.#topics.get(topic);
    if (known !== undefined && known.leaders.length > 0) return known.leaders.length;
    for (let attempt = 0; ; attempt++) {
      const m = await this.#metadata(topic, attempt > 0);
      if (m.leaders.length > 0) return m.leaders.length;
      if (m.errorCode !== 0 && !RETRIABLE.has(m.errorCode))
        throw new BatchProducerError(`topic ${topic}: ${errorName(m.errorCode)}`, m.errorCode);
      if (attempt >= 20) throw new BatchProducerError(`topic ${topic}: ${errorName(m.errorCode || 3)}`, -1);
      await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 1000)));
    }
  }

  /**
   * Encodes `records` as one batch for `topic`/`partition` and sends it; resolves with its base
   * offset once acknowledged (acks), in the order of `send` calls per partition.
   */
  send(topic: string, partition: number, records: readonly BatchRecord[]): Promise<SendResult> {
    if (this.#closed) return Promise.reject(new BatchProducerError('the producer is closed'));
    const batch = encodeRecordBatch(records, {
      compression: this.#o.compression,
      minCompressBytes: this.#o.minCompressBytes,
      // Idempotent: #take stamps the producer id and sequence, which computes the CRC.
      skipCrc: this.#o.idempotent,
      transactional: this.#o.transactionalId !== null,
      allocate: this.#batches.allocate,
    });
    return new Promise((resolve, reject) =>
      this.#enqueue(
        topic,
        partition,
        batch,
        (err, result) => (err === null ? resolve(result!) : reject(err)),
        this.#batches.owns(batch),
      ),
    );
  }

  /**
   * `send` with a callback instead of a promise (no promise per batch: the emitter's path). Throws
   * what `encodeRecordBatch` throws; `done` may be called before this returns (a closed producer).
   */
  sendWith(topic: string, partition: number, records: readonly BatchRecord[], done: SendCallback): void {
    if (this.#closed) {
      done(new BatchProducerError('the producer is closed'), null);
      return;
    }
    const batch = encodeRecordBatch(records, {
      compression: this.#o.compression,
      minCompressBytes: this.#o.minCompressBytes,
      // Idempotent: #take stamps the producer id and sequence, which computes the CRC.
      skipCrc: this.#o.idempotent,
      transactional: this.#o.transactionalId !== null,
      allocate: this.#batches.allocate,
    });
    this.#enqueue(topic, partition, batch, done, this.#batches.owns(batch));
  }

  /** Sends a batch encoded by `encodeRecordBatch` (its producer fields are set here). */
  sendEncoded(topic: string, partition: number, batch: Buffer): Promise<SendResult> {
    if (this.#closed) return Promise.reject(new BatchProducerError('the producer is closed'));
    return new Promise((resolve, reject) =>
      this.#enqueue(topic, partition, batch, (err, result) =>
        err === null ? resolve(result!) : reject(err),
      ),
    );
  }

  #enqueue(topic: string, partition: number, batch: Buffer, done: SendCallback, pooled = false): void {
    if (this.#closed) {
      done(new BatchProducerError('the producer is closed'), null);
      return;
    }
    if (!Number.isInteger(partition) || partition < 0) {
      done(new BatchProducerError(`invalid partition ${partition}`), null);
      return;
    }
    const key = `${topic}\0${partition}`;
    let state = this.#partitions.get(key);
    if (state === undefined) {
      state = {
        topic,
        partition,
        queue: [],
        inflight: [],
        failed: [],
        recovering: false,
        ready: false,
        routing: false,
        attempts: 0,
        producerId: -1n,
        producerEpoch: -1,
        nextSequence: 0,
        timer: null,
      };
      this.#partitions.set(key, state);
    }
    this.#pending++;
    state.queue.push({
      batch,
      count: batchRecordCount(batch),
      sequence: -1,
      producerId: -1n,
      deadline: performance.now() + this.#o.deliveryTimeoutMs,
      done,
      error: null,
      pooled,
    });
    this.#pump(state);
  }

  /** Resolves once every batch sent so far is acknowledged or rejected. */
  flush(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Closes the connections. Without `abort`, waits for `flush()` first; with it, rejects what is not
   * acknowledged yet (those batches may or may not have been written).
   */
  async close(options: { abort?: boolean } = {}): Promise<void> {
    if (!options.abort) await this.flush();
    this.#closed = true;
    const closed = new BatchProducerError('the producer is closed');
    for (const state of this.#partitions.values()) {
      if (state.timer !== null) clearTimeout(state.timer);
      for (const p of [...state.inflight, ...state.failed, ...state.queue]) this.#finish(p, closed);
      state.inflight = [];
      state.failed = [];
      state.queue = [];
    }
    if (this.#sockets !== null) for (const socket of this.#sockets.values()) socket.close();
    if (this.#ownPool) await this.#pool.close().catch(() => {});
  }

  #finish(p: Pending, result: SendResult | Error): void {
    if (result instanceof Error) p.done(result, null);
    else {
      p.done(null, result);
      // Acknowledged: the broker has read all of it, so no socket still holds its bytes.
      if (p.pooled) this.#batches.release(p.batch);
    }
    if (--this.#pending === 0) {
      this.#batches.idle(() => this.#pending === 0);
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Marks `state` ready to send; one drain per tick sends every ready partition. */
  #pump(state: PartitionState): void {
    if (!this.#canTake(state)) return;
    if (!state.ready) {
      state.ready = true;
      this.#ready.push(state);
    }
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    queueMicrotask(() => this.#drain());
  }

  #canTake(state: PartitionState): boolean {
    return (
      !state.recovering &&
      !state.routing &&
      !this.#closed &&
      state.queue.length > 0 &&
      state.inflight.length < this.#o.maxInFlight
    );
  }

  /**
   * Sends the ready partitions: one Produce request per leader and round, each round taking at most
   * one batch of each partition (a partition with several batches waiting goes in several requests,
   * up to `maxInFlight`). A partition whose leader is not known yet is sent alone once Metadata
   * answers; later rounds group it.
   */
  #drain(): void {
    this.#drainScheduled = false;
    if (this.#closed) {
      for (let i = 0; i < this.#ready.length; i++) this.#ready[i]!.ready = false;
      this.#ready = [];
      return;
    }
    // Indexed loops and arrays, not iterators: at an app's rate this runs cold (not optimised),
    // where each iteration step of a Set or Map is an allocation.
    const ready = this.#ready;
    this.#ready = [];
    const leaders: Broker[] = [];
    const byLeader: PartitionState[][] = [];
    let unrouted: Map<string, PartitionState[]> | null = null;
    for (let i = 0; i < ready.length; i++) {
      const state = ready[i]!;
      state.ready = false;
      if (!this.#canTake(state)) continue;
      const leader = this.#knownLeader(state);
      if (leader === null) {
        unrouted ??= new Map();
        const states = unrouted.get(state.topic);
        if (states === undefined) unrouted.set(state.topic, [state]);
        else states.push(state);
        continue;
      }
      const at = leaders.indexOf(leader);
      if (at === -1) {
        leaders.push(leader);
        byLeader.push([state]);
      } else {
        byLeader[at]!.push(state);
      }
    }
    if (unrouted !== null) for (const [topic, states] of unrouted) this.#route(topic, states);
    for (let l = 0; l < leaders.length; l++) {
      const leader = leaders[l]!;
      const states = byLeader[l]!;
      for (;;) {
        let entries: Entry[] = [];
        let bytes = 0;
        for (let i = 0; i < states.length; i++) {
          const state = states[i]!;
          const next = state.queue[0];
          if (next === undefined || !this.#canTake(state)) continue;
          if (entries.length > 0 && bytes + next.batch.length > this.#o.maxRequestBytes) {
            this.#dispatch(entries, leader);
            entries = [];
            bytes = 0;
          }
          const p = this.#take(state);
          if (p === null) continue;
          entries.push({ state, p });
          bytes += p.batch.length;
        }
        if (entries.length === 0) break;
        this.#dispatch(entries, leader);
      }
    }
  }

  /** The broker leading `state`'s partition, from the cached metadata (null: not known yet). */
  #knownLeader(state: PartitionState): Broker | null {
    const m = this.#topics.get(state.topic);
    const id = m?.leaders[state.partition];
    if (id === undefined || id < 0) return null;
    return this.#brokers.get(id) ?? null;
  }

  /**
   * Partitions of `topic` whose leader is not known: one Metadata request, then they go with the
   * next drain; one whose leader is still unknown sends its batch alone, which fails it with the
   * reason (no such partition, no leader) through the usual retry path.
   */
  #route(topic: string, states: PartitionState[]): void {
    const known = this.#topics.get(topic);
    for (const state of states) state.routing = true;
    const go = (): void => {
      for (const state of states) {
        state.routing = false;
        if (this.#knownLeader(state) === null) this.#sendAlone(state);
        else this.#pump(state);
      }
    };
    this.#metadata(topic, known !== undefined).then(go, go);
  }

  /** A batch of a partition with no known leader: resolves it through Metadata, then sends it alone. */
  #sendAlone(state: PartitionState): void {
    const p = this.#take(state);
    if (p === null) return;
    state.routing = true;
    const entries = [{ state, p }];
    this.#leader(state).then(
      (leader) => {
        state.routing = false;
        this.#dispatch(entries, leader);
        this.#pump(state);
      },
      (err: Error) => {
        state.routing = false;
        this.#answerAll(entries, {
          code: err instanceof BatchProducerError ? err.errorCode : poolClosed(err) ? POOL_CLOSED : 13,
          message: describe(err),
        });
      },
    );
  }

  /**
   * The next batch of `state` to send, moved to its in-flight list with its sequence stamped (null
   * when it cannot go yet: no producer id, or batches in flight under a previous one).
   */
  #take(state: PartitionState): Pending | null {
    if (!this.#canTake(state)) return null;
    if (this.#o.idempotent) {
      const pid = this.#producerId;
      if (pid === null) {
        this.#initProducerId().then(
          () => this.#pump(state),
          (err: Error) => {
            if (err instanceof BatchProducerError && err.errorCode !== -1) {
              for (const p of state.queue.splice(0)) this.#finish(p, err);
            } else {
              this.#recover(state, { code: -1, message: describe(err) });
            }
          },
        );
        return null;
      }
      const p = state.queue[0]!;
      if (p.sequence === -1 || p.producerId !== state.producerId) {
        if (state.producerId !== pid.id) {
          // First batch of this partition, or after a reset: a fresh sequence under the current id,
          // once nothing is in flight under the old one (so the two cannot overtake each other).
          if (state.inflight.length > 0) return null;
          state.producerId = pid.id;
          state.producerEpoch = pid.epoch;
          state.nextSequence = 0;
        }
        p.sequence = state.nextSequence;
        p.producerId = state.producerId;
        state.nextSequence = (state.nextSequence + p.count) % SEQUENCE_LIMIT;
        setBatchProducer(p.batch, state.producerId, state.producerEpoch, p.sequence);
      }
    }
    const p = state.queue.shift()!;
    state.inflight.push(p);
    return p;
  }

  #dispatch(entries: Entry[], leader: Broker): void {
    if (this.#sockets !== null) {
      this.#sendLean(entries, leader);
      return;
    }
    this.#pool.get(leader, (err, connection) => {
      if (err) {
        this.#answerAll(entries, { code: poolClosed(err) ? POOL_CLOSED : 13, message: describe(err) });
      } else {
        this.#sendOn(connection!, entries);
      }
    });
  }

  #sendOn(connection: Connection, entries: Entry[]): void {
    if (this.#closed) return;
    connection.send(
      0,
      PRODUCE_VERSION,
      () => this.#produceRequest(entries),
      parseProduceResponse,
      true,
      true,
      (err, answers) => {
        if (err) {
          this.#answerAll(entries, { code: poolClosed(err) ? POOL_CLOSED : 13, message: describe(err) });
          return;
        }
        for (const { state, p } of entries) {
          const answer = answers!.get(`${state.topic}\0${state.partition}`) ?? {
            code: 13,
            message: `no answer for ${state.topic}/${state.partition} in the Produce response`,
          };
          this.#answer(state, p, answer);
        }
      },
    );
  }

  /** One Produce request on this producer's own connection to `leader` (kafka-socket.ts). */
  #sendLean(entries: Entry[], leader: Broker): void {
    if (this.#closed) return;
    const sockets = this.#sockets!;
    const address = `${leader.host}:${leader.port}`;
    let socket = sockets.get(address);
    if (socket === undefined || socket.closed) {
      socket = new KafkaSocket(leader, this.#socketOptions);
      sockets.set(address, socket);
    }
    // Grouped by topic; `ordered` is the entries in the order of the request (and of its answer).
    const topics: ProduceTopicData[] = [];
    let ordered = entries;
    let last: ProduceTopicData | null = null;
    let grouped = true;
    for (let i = 0; i < entries.length; i++) {
      const { state, p } = entries[i]!;
      if (last === null || last.name !== state.topic) {
        if (topics.some((t) => t.name === state.topic)) grouped = false;
        last = { name: state.topic, partitions: [] };
        topics.push(last);
      }
      last.partitions.push({ partition: state.partition, batch: p.batch });
    }
    if (!grouped) {
      // A topic's partitions appear once in a request: regroup (rare: the drain takes partitions in
      // the order they became ready).
      topics.length = 0;
      const byTopic = new Map<string, Entry[]>();
      for (const e of entries) {
        const list = byTopic.get(e.state.topic);
        if (list === undefined) byTopic.set(e.state.topic, [e]);
        else list.push(e);
      }
      ordered = [];
      for (const [name, list] of byTopic) {
        topics.push({
          name,
          partitions: list.map((e) => ({ partition: e.state.partition, batch: e.p.batch })),
        });
        ordered.push(...list);
      }
    }
    const frame = encodeProduceRequestChunks(
      socket.headerBytes,
      this.#o.transactionalId,
      this.#o.acks,
      this.#o.requestTimeoutMs,
      topics,
    );
    socket.send(PRODUCE_KEY, PRODUCE_VERSION, frame, (err, body) => {
      if (err !== null) {
        this.#answerAll(ordered, { code: 13, message: err.message });
        return;
      }
      let answers: ReturnType<typeof parseProduceBody>;
      try {
        answers = parseProduceBody(body!);
      } catch (e) {
        this.#answerAll(ordered, { code: 13, message: (e as Error).message });
        return;
      }
      for (let i = 0; i < ordered.length; i++) {
        const { state, p } = ordered[i]!;
        let answer = answers[i];
        if (answer === undefined || answer.partition !== state.partition || answer.topic !== state.topic)
          answer = answers.find((a) => a.partition === state.partition && a.topic === state.topic);
        this.#answer(
          state,
          p,
          answer ?? {
            code: 13,
            message: `no answer for ${state.topic}/${state.partition} in the Produce response`,
          },
        );
      }
    });
  }

  #answerAll(entries: Entry[], error: { code: number; message: string }): void {
    for (const { state, p } of entries) this.#answer(state, p, error);
  }

  /** Produce v9 request: the entries' batches grouped by topic, in the order taken. */
  #produceRequest(entries: Entry[]): Writer {
    const byTopic = new Map<string, Entry[]>();
    for (const e of entries) {
      const list = byTopic.get(e.state.topic);
      if (list === undefined) byTopic.set(e.state.topic, [e]);
      else list.push(e);
    }
    const w = Writer.create()
      .appendString(this.#o.transactionalId, true)
      .appendInt16(this.#o.acks)
      .appendInt32(this.#o.requestTimeoutMs)
      .appendUnsignedVarInt(byTopic.size + 1);
    for (const [topic, list] of byTopic) {
      w.appendString(topic, true).appendUnsignedVarInt(list.length + 1);
      for (const { state, p } of list) {
        w.appendInt32(state.partition)
          .appendUnsignedVarInt(p.batch.length + 1)
          .append(p.batch)
          .appendTaggedFields();
      }
      w.appendTaggedFields();
    }
    return w.appendTaggedFields();
  }

  #answer(
    state: PartitionState,
    p: Pending,
    answer: ProduceAnswer | { code: number; message: string },
  ): void {
    if (this.#closed) {
      // Closed by the owner of the connections: what was in flight has no answer coming.
      const i = state.inflight.indexOf(p);
      if (!this.#ownPool && i !== -1) {
        state.inflight.splice(i, 1);
        this.#finish(p, new BatchProducerError('the connections were closed by their owner', POOL_CLOSED));
      }
      return;
    }
    const i = state.inflight.indexOf(p);
    if (i === -1) return;
    state.inflight.splice(i, 1);
    const code = 'errorCode' in answer ? answer.errorCode : answer.code;
    if (code === 0 || code === DUPLICATE_SEQUENCE_NUMBER) {
      state.attempts = 0;
      this.#finish(p, { baseOffset: code === 0 ? (answer as ProduceAnswer).baseOffset : -1n });
    } else {
      const message = 'errorCode' in answer ? (answer.errorMessage ?? errorName(code)) : answer.message;
      p.error = { code, message };
      p.pooled = false;
      state.failed.push(p);
      state.recovering = true;
    }
    if (state.recovering) {
      if (state.inflight.length === 0) this.#recover(state, null);
    } else {
      this.#pump(state);
    }
  }

  /**
   * Every batch in flight has answered and at least one failed: decide what to resend, after a
   * back-off and a metadata refresh when the leader may have moved.
   */
  #recover(state: PartitionState, clientError: { code: number; message: string } | null): void {
    if (this.#closed) return;
    state.recovering = true;
    if (clientError?.code === POOL_CLOSED || state.failed.some((p) => p.error?.code === POOL_CLOSED)) {
      // The owner closed the connections: nothing can be sent any more.
      this.#closed = true;
      const err = new BatchProducerError('the connections were closed by their owner', POOL_CLOSED);
      for (const st of this.#partitions.values()) {
        if (st.timer !== null) clearTimeout(st.timer);
        for (const p of [...st.failed, ...st.queue]) this.#finish(p, err);
        st.failed = [];
        st.queue = [];
      }
      return;
    }
    state.failed.sort((a, b) => a.sequence - b.sequence);
    const failed = state.failed;
    state.failed = [];
    const head = failed[0];
    const headCode = clientError?.code ?? head?.error?.code ?? 13;
    const headMessage = clientError?.message ?? head?.error?.message ?? 'unknown error';
    const sequenceLost = headCode === UNKNOWN_PRODUCER_ID || headCode === OUT_OF_ORDER_SEQUENCE_NUMBER;
    const retriable = RETRIABLE.has(headCode) || headCode === -1 || (sequenceLost && this.#ownProducerId);
    let resetSequence = sequenceLost;
    if (!retriable && head !== undefined) {
      // Retrying cannot help this batch: reject it; the ones after it are resent under a new id.
      failed.shift();
      this.#finish(
        head,
        new BatchProducerError(
          `${state.topic}/${state.partition}: ${errorName(headCode)}${headMessage !== errorName(headCode) ? `: ${headMessage}` : ''}`,
          headCode,
        ),
      );
      resetSequence = this.#o.idempotent;
    }
    state.queue.unshift(...failed);
    const now = performance.now();
    const expired = state.queue.findIndex((p) => p.deadline <= now);
    if (expired !== -1) {
      // Later batches cannot be written before earlier ones under the same sequence: all go.
      const err = new BatchProducerError(
        `${state.topic}/${state.partition}: not acknowledged within ${this.#o.deliveryTimeoutMs} ms (last error: ${headMessage})`,
        headCode,
      );
      for (const p of state.queue.splice(0)) this.#finish(p, err);
      resetSequence = this.#o.idempotent;
    }
    if (resetSequence && this.#o.idempotent && !this.#ownProducerId && sequenceLost) {
      const err = new BatchProducerError(
        `${state.topic}/${state.partition}: ${errorName(headCode)} for the given producer id ${this.#producerId?.id}`,
        headCode,
      );
      for (const p of state.queue.splice(0)) this.#finish(p, err);
    }
    if (resetSequence && this.#o.idempotent && this.#ownProducerId) this.#renewProducerId(state);
    if (state.queue.length === 0) {
      state.recovering = false;
      state.attempts = 0;
      return;
    }
    const delay = Math.min(100 * 2 ** Math.min(state.attempts, 5), 2000);
    state.attempts++;
    const refresh = REFRESH_METADATA.has(headCode) || headCode === -1;
    state.timer = setTimeout(() => {
      state.timer = null;
      const go = (): void => {
        state.recovering = false;
        this.#pump(state);
      };
      if (refresh) {
        this.#metadata(state.topic, true).then(go, (err: Error) =>
          this.#recover(state, { code: -1, message: describe(err) }),
        );
      } else {
        go();
      }
    }, delay);
  }

  /** Forgets the sequence of `state`: its queued batches are restamped under a new producer id. */
  #renewProducerId(state: PartitionState): void {
    for (const p of state.queue) p.sequence = -1;
    if (this.#producerId !== null && this.#producerId.id === state.producerId) {
      this.#producerId = null;
    }
    state.producerId = -1n;
  }

  #initProducerId(): Promise<void> {
    this.#producerIdInFlight ??= (async () => {
      try {
        try {
          const c = await this.#pool.getFirstAvailable(this.#knownBrokers());
          const res = await initProducerIdV4.api.async(c, null, 60_000, -1n, -1);
          this.#producerId = { id: res.producerId, epoch: res.producerEpoch };
        } catch (err) {
          // Retriable trouble (code -1) goes through the partition's back-off and delivery timeout.
          const code = kafkaCode(err);
          throw new BatchProducerError(
            `InitProducerId: ${code === null ? describe(err as Error) : errorName(code)}`,
            code !== null && !RETRIABLE.has(code) ? code : -1,
          );
        }
      } finally {
        this.#producerIdInFlight = null;
      }
    })();
    return this.#producerIdInFlight;
  }

  #knownBrokers(): Broker[] {
    return [...this.#brokers.values(), ...this.#bootstrap];
  }

  async #leader(state: PartitionState): Promise<Broker> {
    let m = this.#topics.get(state.topic);
    if (m === undefined || m.leaders[state.partition] === undefined || m.leaders[state.partition]! < 0) {
      m = await this.#metadata(state.topic, m !== undefined);
    }
    if (state.partition >= m.leaders.length && m.leaders.length > 0) {
      throw new BatchProducerError(
        `${state.topic}/${state.partition}: the topic has ${m.leaders.length} partitions`,
        NO_SUCH_PARTITION,
      );
    }
    const leader = this.#brokers.get(m.leaders[state.partition] ?? -1);
    if (leader === undefined) throw new BatchProducerError(`${state.topic}/${state.partition}: no leader`, 5);
    return leader;
  }

  /** Metadata of `topic`, cached; `refresh` asks again (once per 50 ms at most, calls coalesced). */
  #metadata(topic: string, refresh = false): Promise<TopicMetadata> {
    const known = this.#topics.get(topic);
    if (known !== undefined && (!refresh || performance.now() - known.fetched < 50))
      return Promise.resolve(known);
    let inflight = this.#metadataInFlight.get(topic);
    if (inflight === undefined) {
      inflight = (async () => {
        try {
          const c = await this.#pool.getFirstAvailable(this.#knownBrokers());
          let res: MetadataResponse;
          try {
            res = await metadataV12.api.async(c, [topic], this.#o.autocreateTopics, false);
          } catch (err) {
            // Topic errors are answers too (the library throws them with the response attached).
            if (!(err instanceof ResponseError)) throw err;
            res = (err as ResponseError & { response: MetadataResponse }).response;
          }
          for (const b of res.brokers) this.#brokers.set(b.nodeId, { host: b.host, port: b.port });
          const t = res.topics.find((x) => x.name === topic);
          const leaders: number[] = [];
          for (const p of t?.partitions ?? [])
            leaders[p.partitionIndex] = p.errorCode === 0 ? p.leaderId : -1;
          const m = { errorCode: t?.errorCode ?? 3, leaders, fetched: performance.now() };
          this.#topics.set(topic, m);
          return m;
        } finally {
          this.#metadataInFlight.delete(topic);
        }
      })();
      this.#metadataInFlight.set(topic, inflight);
    }
    return inflight;
  }
}

/** Produce v9+ response: each partition's answer by `topic\0partition` (the library's parser, without its throw). */
function parseProduceResponse(
  cid: number,
  key: number,
  version: number,
  reader: Reader,
): Map<string, ProduceAnswer> {
  let res: ReturnType<typeof produceV11.parseResponse>;
  try {
    res = produceV11.parseResponse(cid, key, version, reader);
  } catch (err) {
    if (!(err instanceof ResponseError)) throw err;
    res = (err as ResponseError & { response: ReturnType<typeof produceV11.parseResponse> }).response;
  }
  const answers = new Map<string, ProduceAnswer>();
  for (const t of res.responses) {
    for (const p of t.partitionResponses) {
      answers.set(`${t.name}\0${p.index}`, {
        errorCode: p.errorCode,
        errorMessage: p.errorMessage ?? null,
        baseOffset: p.baseOffset,
      });
    }
  }
  return answers;
}

function poolClosed(err: unknown): boolean {
  return (err as { closed?: unknown }).closed === true;
}

function kafkaCode(err: unknown): number | null {
  const nested = (err as { errors?: { apiCode?: number; errorCode?: number }[] }).errors;
  const first = nested?.[0];
  const code = first?.apiCode ?? first?.errorCode;
  return typeof code === 'number' ? code : null;
}

function describe(err: Error): string {
  const nested = (err as Error & { errors?: Error[] }).errors;
  const last = nested?.[nested.length - 1];
  return last ? `${err.message}: ${describe(last)}` : err.message;
}
