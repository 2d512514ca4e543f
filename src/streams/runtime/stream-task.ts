/**
 * A stream task: one sub-topology's processors and state stores for one partition number, fed by
 * that partition of each of the sub-topology's input topics (co-partitioned). Records are queued
 * per input partition (fetched ones as byte ranges of the fetch response, deserialized only when
 * processed unless a timestamp extractor needs them); the next record processed is the queue head
 * with the smallest timestamp, and stream time is the largest timestamp processed so far. Processing is synchronous; a commit
 * flushes the stores (changelog and cached DSL output go to the record collector) and reports the
 * input offsets to commit. Used by the runtime and the test driver alike.
 */

import { partitionForKey, partitionForTextKey } from '../../client/partitioner.ts';
import {
  estimateRecords,
  type FetchedPartition,
  RecordCursor,
  RecordView,
  visitRecords,
} from '../../client/raw-fetch.ts';
import {
  type DeserializationExceptionHandler,
  type Logger,
  StreamsException,
  TopologyException,
} from '../errors.ts';
import {
  type Cancellable,
  type ChangelogRecord,
  type Headers,
  type Processor,
  type ProcessorContext,
  PunctuationType,
  type Punctuator,
  type Record,
  type RecordMetadata,
  type StateStore,
  type StateStoreContext,
  type TaskId,
} from '../processor/api.ts';
import type { SinkNodeDef, SourceNodeDef, Topology } from '../processor/topology.ts';
import {
  type Deserializer,
  isRangeDeserializer,
  isTextSerializer,
  keepsNoBytes,
  type RangeDeserializer,
  type Serde,
} from '../serdes.ts';
import { resolveSerde } from '../state/store-base.ts';
import type { StreamsMetrics, TaskMetrics } from './metrics.ts';
import type { ResponseLease } from './response-lease.ts';

export function taskId(subtopology: number, partition: number): TaskId {
  return { subtopology, partition, toString: () => `${subtopology}_${partition}` };
}

export function parseTaskId(text: string): TaskId {
  const [s, p] = text.split('_');
  return taskId(Number(s), Number(p));
}

/** A record as fetched: raw bytes plus position. */
export interface RawRecord {
  topic: string;
  partition: number;
  /** A number (exact below 2^53); the public record metadata turns it into a bigint. */
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
}

/** Where a task's output goes (a producer in the runtime, captured lists in the test driver). */
export interface RecordCollector {
  send(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers,
    partition: number | undefined,
  ): void;
  /** Optional: like `send`, with the key or value (or both) as text to write as UTF-8. */
  sendText?(
    topic: string,
    key: Buffer | string | null,
    value: Buffer | string | null,
    timestamp: number,
    headers: Headers,
    partition: number | undefined,
  ): void;
  /** Partition count of a topic, when known. */
  partitionsFor(topic: string): number | undefined;
}

export interface TaskEnvironment {
  applicationId: string;
  /** Serdes for user topics when a node has none (the configured defaults, or inferred). */
  defaultKeySerde: Serde<unknown>;
  defaultValueSerde: Serde<unknown>;
  /** Serdes for internal topics and stores when none was given. */
  internalKeySerde: Serde<unknown>;
  internalValueSerde: Serde<unknown>;
  deserializationHandler: DeserializationExceptionHandler;
  defaultTimestampExtractor?: SourceNodeDef['timestampExtractor'];
  cacheMaxBytes: number;
  /** Full name of a topic (internal topics get the application id prefix). */
  resolveTopic(name: string): string;
  collector: RecordCollector;
  /** This task's state directory, or null for in-memory only. */
  stateDir: string | null;
  /** Name of a store's changelog topic, or null when the store is not logged. */
  changelogTopic(storeName: string): string | null;
  globalStore(name: string): StateStore | undefined;
  systemTime(): number;
  metrics: StreamsMetrics;
  logger: Logger;
}

/**
 * A record waiting in its partition's queue as an object (topic and partition are the queue's):
 * records given as Buffers keep them in `rawKey`/`rawValue`; fetched records queued this way
 * (a source with a timestamp extractor has them deserialized when queued, `deserialized`) stay
 * byte ranges of the fetched buffer until then (`buffer` set). Other fetched records wait in the
 * fetch response itself (`FetchedRun`), with no object each.
 */
interface QueuedRecord {
  offset: number;
  timestamp: number;
  buffer: Buffer | null;
  keyStart: number;
  keyLength: number;
  valueStart: number;
  valueLength: number;
  headersStart: number;
  headerCount: number;
  rawKey: Buffer | null;
  rawValue: Buffer | null;
  headers: Headers | null;
  deserialized: boolean;
  key: unknown;
  value: unknown;
}

/**
 * A fetched record set waiting in its partition's queue: a cursor over the fetch response, on
 * the queue's head record when it is the queue's first run. `counted`: records of it still counted
 * as buffered (an estimate from the batch headers, settled when the run is used up).
 */
class FetchedRun extends RecordCursor {
  counted = 0;
  /** The fetch response's lease (response-lease.ts), dropped when the run is used up. */
  lease: ResponseLease | null = null;
}

interface SourceDeserializers {
  key: Deserializer<unknown>;
  value: Deserializer<unknown>;
  /** The same deserializers when they decode byte ranges (built-in String and JSON), else null. */
  keyRange: RangeDeserializer<unknown> | null;
  valueRange: RangeDeserializer<unknown> | null;
  /** Both are built-in range deserializers: nothing of the fetched bytes is kept past a record. */
  keepNoBytes: boolean;
}

/** The records waiting from one input partition, and how far that partition was consumed. */
interface PartitionQueue {
  tp: string;
  topic: string;
  partition: number;
  /** Queued records from `head` on (slots before it are emptied). */
  records: (QueuedRecord | undefined)[];
  head: number;
  /**
   * Fetched record sets in order; the first is on the queue's next record. Records are in
   * `records` or here, never both (records added as objects wait until the runs are used up).
   */
  runs: FetchedRun[];
  source: SourceNodeDef;
  node: RuntimeNode;
  deserializers: SourceDeserializers;
  extractor: SourceNodeDef['timestampExtractor'];
  /** Offset after the last record processed or skipped (-1: none yet). */
  consumed: number;
}

interface RecordContext {
  topic: string | null;
  partition: number;
  offset: number;
  timestamp: number;
  headers: Headers;
}

interface Schedule {
  interval: number;
  type: PunctuationType;
  punctuator: Punctuator;
  next: number | undefined;
  cancelled: boolean;
  node: RuntimeNode;
}

interface RuntimeNode {
  name: string;
  children: RuntimeNode[];
  process(record: Record<unknown, unknown>): void;
}

const NO_TIME = -1;
const NO_HEADERS = Object.freeze([]) as unknown as Headers;

function rangeOf(b: Buffer, start: number, length: number): Buffer | null {
  return length < 0 ? null : b.subarray(start, start + length);
}

function queued(offset: number, timestamp: number, buffer: Buffer | null): QueuedRecord {
  return {
    offset,
    timestamp,
    buffer,
    keyStart: 0,
    keyLength: -1,
    valueStart: 0,
    valueLength: -1,
    headersStart: 0,
    headerCount: 0,
    rawKey: null,
    rawValue: null,
    headers: null,
    deserialized: false,
    key: undefined,
    value: undefined,
  };
}

/** What DSL processors get beyond the public context. */
export interface InternalProcessorContext extends ProcessorContext<unknown, unknown> {
  /** Counts a record dropped for lateness (the dropped-records metric). */
  recordDropped(): void;
  /** Runs `fn` with the given record timestamp and headers as the current context. */
  withRecordContext(timestamp: number, headers: Headers, fn: () => void): void;
}

/** A serde that needs the application's default serdes to work (windowed keys, table values). */
export interface DefaultableSerde<T> extends Serde<T> {
  withDefaults(keyDefault: Serde<unknown>, valueDefault: Serde<unknown>): Serde<T>;
}

export class StreamTask {
  readonly id: TaskId;
  readonly idString: string;
  readonly inputPartitions: { topic: string; partition: number }[];
  readonly stores = new Map<string, StateStore>();
  private readonly topology: Topology;
  private readonly env: TaskEnvironment;
  private readonly nodes = new Map<string, RuntimeNode>();
  private readonly processors: Processor<unknown, unknown, unknown, unknown>[] = [];
  private readonly sourceByTopic = new Map<string, SourceNodeDef>();
  private readonly queues = new Map<string, PartitionQueue>();
  /** The same queues as a list (the per-record scan for the next record walks it). */
  private queueList: PartitionQueue[] = [];
  private readonly schedules: Schedule[] = [];
  private readonly metrics: TaskMetrics;
  private streamTime = NO_TIME;
  private context: RecordContext | null = null;
  /** Reused as the context of every processed record (punctuators and flushes get their own). */
  private readonly recordContext: RecordContext = {
    topic: null,
    partition: 0,
    offset: -1,
    timestamp: 0,
    headers: [],
  };
  private currentNode: RuntimeNode | null = null;
  private buffered = 0;
  /** Reads the headers of queued fetched records. */
  private readonly view = new RecordView();
  commitRequested = false;
  private closed = false;

  constructor(topology: Topology, subtopology: number, partition: number, env: TaskEnvironment) {
    this.topology = topology;
    this.env = env;
    this.id = taskId(subtopology, partition);
    this.idString = this.id.toString();
    this.metrics = env.metrics.task(this.idString);
    const st = topology.subtopologies()[subtopology];
    if (!st) throw new TopologyException(`no sub-topology ${subtopology}`);
    this.inputPartitions = st.sourceTopics.map((t) => ({ topic: env.resolveTopic(t), partition }));
    for (const name of st.nodes) {
      const def = topology.nodes.get(name)!;
      if (def.kind === 'source') for (const t of def.topics) this.sourceByTopic.set(env.resolveTopic(t), def);
    }
    for (const s of st.stores) {
      const builder = topology.stores.get(s)!;
      this.stores.set(s, builder.build());
    }
    this.build(st.nodes);
  }

  private storeContext(storeName: string): StateStoreContext {
    const changelog = this.env.changelogTopic(storeName);
    return {
      applicationId: this.env.applicationId,
      taskId: this.id,
      partition: this.id.partition,
      stateDir: this.env.stateDir,
      cacheMaxBytes: this.env.cacheMaxBytes,
      defaultKeySerde: this.env.internalKeySerde,
      defaultValueSerde: this.env.internalValueSerde,
      streamTime: () => this.streamTime,
      logChange: (_store: string, r: ChangelogRecord) => {
        if (changelog !== null)
          this.env.collector.send(changelog, r.key, r.value, r.timestamp, [], this.id.partition);
      },
    };
  }

  /** Opens the stores (before restore). */
  initStores(): void {
    for (const [name, store] of this.stores) if (!store.isOpen()) store.init(this.storeContext(name));
  }

  /** Initializes the processors (after restore). */
  initProcessors(): void {
    for (const name of this.nodes.keys()) {
      const def = this.topology.nodes.get(name)!;
      if (def.kind !== 'processor') continue;
      const node = this.nodes.get(name)!;
      const processor = (node as RuntimeNode & { processor: Processor<unknown, unknown, unknown, unknown> })
        .processor;
      this.currentNode = node;
      processor.init?.(this.processorContext(node, def.stores));
      this.currentNode = null;
    }
  }

  private build(names: string[]): void {
    for (const name of names) {
      const def = this.topology.nodes.get(name)!;
      let node: RuntimeNode;
      if (def.kind === 'source') {
        node = {
          name,
          children: [],
          process(record) {
            for (const c of this.children) c.process(record);
          },
        };
      } else if (def.kind === 'processor') {
        const processor = def.supplier();
        this.processors.push(processor);
        const task = this;
        node = {
          name,
          children: [],
          process(record) {
            const previous = task.currentNode;
            task.currentNode = this;
            try {
              processor.process(record);
            } finally {
              task.currentNode = previous;
            }
          },
        };
        (node as RuntimeNode & { processor: unknown }).processor = processor;
      } else {
        node = this.sinkNode(def);
      }
      this.nodes.set(name, node);
    }
    for (const name of names) {
      const def = this.topology.nodes.get(name)!;
      if (def.kind === 'source') continue;
      for (const p of def.parents) this.nodes.get(p)?.children.push(this.nodes.get(name)!);
    }
  }

  private sinkNode(def: SinkNodeDef): RuntimeNode {
    const env = this.env;
    const internal = typeof def.topic === 'string' && this.topology.internalTopics.has(def.topic);
    const k = internal ? env.internalKeySerde : env.defaultKeySerde;
    const v = internal ? env.internalValueSerde : env.defaultValueSerde;
    const keySer = resolveSerde(def.keySerde, k, k, v).serializer();
    const valueSer = resolveSerde(def.valueSerde, v, k, v).serializer();
    // keys and values as text written straight into the output batch, when serde and collector can
    const text = env.collector.sendText !== undefined;
    const keyText = text && isTextSerializer(keySer) ? keySer : null;
    const valueText = text && isTextSerializer(valueSer) ? valueSer : null;
    const fixedTopic = typeof def.topic === 'string' ? env.resolveTopic(def.topic) : null;
    const task = this;
    return {
      name: def.name,
      children: [],
      process(record) {
        const topic =
          fixedTopic ??
          (def.topic as (k: unknown, v: unknown, c: { topic: string | null }) => string)(
            record.key,
            record.value,
            {
              topic: task.context?.topic ?? null,
            },
          );
        let key: Buffer | string | null | undefined;
        let value: Buffer | string | null | undefined;
        try {
          key = keyText?.serializeText(topic, record.key);
          if (key === undefined) key = keySer.serialize(topic, record.key);
          value = valueText?.serializeText(topic, record.value);
          if (value === undefined) value = valueSer.serialize(topic, record.value);
        } catch (err) {
          throw new StreamsException(
            `sink ${def.name} could not serialize a record for topic ${topic}: ${(err as Error).message} (set keySerde/valueSerde in to() or default.key.serde/default.value.serde)`,
            { cause: err },
          );
        }
        const n = env.collector.partitionsFor(topic);
        let partition: number | undefined;
        if (def.partitioner && n !== undefined)
          partition = def.partitioner(topic, record.key, record.value, n);
        if (partition === undefined && key !== null && n !== undefined)
          partition = typeof key === 'string' ? partitionForTextKey(key, n) : partitionForKey(key, n);
        if (typeof key === 'string' || typeof value === 'string')
          env.collector.sendText!(topic, key, value, record.timestamp, record.headers, partition);
        else env.collector.send(topic, key, value, record.timestamp, record.headers, partition);
      },
    };
  }

  private processorContext(node: RuntimeNode, stores: Set<string>): ProcessorContext<unknown, unknown> {
    const task = this;
    return {
      applicationId: this.env.applicationId,
      taskId: this.id,
      forward(record, childName) {
        const previous = task.currentNode;
        if (childName !== undefined) {
          const child = node.children.find((c) => c.name === childName);
          if (!child) throw new StreamsException(`unknown child ${childName} of ${node.name}`);
          child.process(record);
        } else {
          for (const c of node.children) c.process(record);
        }
        task.currentNode = previous;
      },
      getStateStore<S = StateStore>(name: string): S {
        const store = task.stores.get(name) ?? task.env.globalStore(name);
        if (!store || (!stores.has(name) && task.stores.has(name)))
          throw new StreamsException(
            `Processor ${node.name} has no access to StateStore ${name}: connect it with addStateStore/connectProcessorAndStateStores`,
          );
        return store as S;
      },
      schedule(interval: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
        if (!(interval >= 1)) throw new RangeError('punctuation interval must be at least 1 ms');
        const s: Schedule = {
          interval,
          type,
          punctuator,
          next: type === PunctuationType.WALL_CLOCK_TIME ? task.env.systemTime() + interval : undefined,
          cancelled: false,
          node,
        };
        task.schedules.push(s);
        return { cancel: () => (s.cancelled = true) };
      },
      recordMetadata(): RecordMetadata | null {
        const c = task.context;
        return c === null || c.topic === null
          ? null
          : { topic: c.topic, partition: c.partition, offset: BigInt(c.offset) };
      },
      currentStreamTimeMs: () => task.streamTime,
      currentSystemTimeMs: () => task.env.systemTime(),
      commit() {
        task.commitRequested = true;
      },
      recordDropped() {
        task.metrics.droppedRecordsTotal++;
      },
      withRecordContext(timestamp: number, headers: Headers, fn: () => void) {
        task.withContext(timestamp, headers, fn);
      },
    } as InternalProcessorContext;
  }

  private queueFor(topic: string, partition: number): PartitionQueue {
    const tp = `${topic}:${partition}`;
    let q = this.queues.get(tp);
    if (q === undefined) {
      const source = this.sourceByTopic.get(topic);
      if (!source) throw new StreamsException(`task ${this.idString} got a record of unknown topic ${topic}`);
      q = {
        tp,
        topic,
        partition,
        records: [],
        head: 0,
        runs: [],
        source,
        node: this.nodes.get(source.name)!,
        deserializers: this.deserializers(source),
        extractor: source.timestampExtractor ?? this.env.defaultTimestampExtractor,
        consumed: -1,
      };
      this.queues.set(tp, q);
      this.queueList = [...this.queues.values()];
    }
    return q;
  }

  /** Queues records given as Buffers (the test driver, global-topic style input); usually all of one partition. */
  addRecords(records: readonly RawRecord[]): void {
    let q: PartitionQueue | undefined;
    for (const raw of records) {
      if (q === undefined || q.topic !== raw.topic || q.partition !== raw.partition) {
        q = this.queueFor(raw.topic, raw.partition);
        if (q.runs.length > 0) this.runsToRecords(q);
      }
      const r = queued(raw.offset, raw.timestamp, null);
      r.rawKey = raw.key;
      r.rawValue = raw.value;
      r.headers = raw.headers;
      this.enqueue(q, r);
    }
    this.metrics.bufferedRecords = this.buffered;
  }

  /**
   * Queues the records of one fetched partition. They wait in the fetched bytes (a cursor over
   * them) and are decoded one at a time as they come to the head of the queue, keys and values
   * deserialized when processed (as Kafka Streams deserializes a queue's head), so a fetch's
   * worth of records waits without an object each. A source with a timestamp extractor gets
   * them as objects, deserialized now (the extractor sees them when queued).
   */
  addFetched(
    topic: string,
    partition: number,
    fetched: FetchedPartition,
    position: number,
    lease: ResponseLease | null = null,
  ): void {
    const q = this.queueFor(topic, partition);
    if (q.extractor !== undefined || q.head < q.records.length) {
      // queued objects refer to the fetched bytes
      if (lease !== null) lease.escaped = true;
      visitRecords(fetched, position, (v) => this.enqueue(q, this.queuedFrom(v)));
    } else {
      const run = new FetchedRun(fetched, position);
      if (lease !== null) {
        if (!q.deserializers.keepNoBytes) lease.escaped = true;
        run.lease = lease;
        lease.hold();
      }
      run.counted = estimateRecords(fetched.records, position);
      this.buffered += run.counted;
      q.runs.push(run);
      if (q.runs.length === 1) this.toNextValid(q, run);
    }
    this.metrics.bufferedRecords = this.buffered;
  }

  private queuedFrom(v: RecordView): QueuedRecord {
    const r = queued(v.offset, v.timestamp, v.buffer);
    r.keyStart = v.keyStart;
    r.keyLength = v.keyLength;
    r.valueStart = v.valueStart;
    r.valueLength = v.valueLength;
    r.headersStart = v.headersStart;
    r.headerCount = v.headerCount;
    return r;
  }

  /**
   * Moves the queue's first run on to its next record with a valid timestamp (skipping others),
   * dropping runs that are used up; the queue then has no run or its first is on its head.
   */
  private toNextValid(q: PartitionQueue, run: FetchedRun): void {
    for (;;) {
      while (run.next()) {
        if (run.timestamp >= 0) return;
        this.took(run);
        this.validTimestamp(q, run.offset, run.timestamp);
      }
      this.buffered -= run.counted;
      q.runs.shift();
      run.lease?.drop();
      if (q.runs.length === 0) return;
      run = q.runs[0]!;
    }
  }

  /** A record of the run is taken off the queue. */
  private took(run: FetchedRun): void {
    if (run.counted > 0) {
      run.counted--;
      this.buffered--;
    }
  }

  /** Turns the queue's runs into queued objects (records given as objects go after them). */
  private runsToRecords(q: PartitionQueue): void {
    const runs = q.runs;
    q.runs = [];
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i]!;
      // the queued objects refer to the fetched bytes
      if (run.lease !== null) run.lease.escaped = true;
      this.buffered -= run.counted;
      // the first run is on its next record already
      if (i > 0 && !run.next()) continue;
      do this.enqueue(q, this.queuedFrom(run));
      while (run.next());
    }
  }

  private enqueue(q: PartitionQueue, r: QueuedRecord): void {
    if (q.extractor !== undefined) {
      // the extractor sees the deserialized record: decode it now
      if (!this.deserialize(q, r)) return;
      const timestamp = q.extractor(
        {
          topic: q.topic,
          partition: q.partition,
          offset: BigInt(r.offset),
          timestamp: r.timestamp,
          key: r.key,
          value: r.value,
        },
        this.streamTime,
      );
      if (!this.validTimestamp(q, r.offset, timestamp)) return;
      r.timestamp = timestamp;
    } else if (!this.validTimestamp(q, r.offset, r.timestamp)) return;
    q.records.push(r);
    this.buffered++;
  }

  private validTimestamp(q: PartitionQueue, offset: number, timestamp: number): boolean {
    if (timestamp >= 0) return true;
    this.env.logger.warn(
      { topic: q.topic, partition: q.partition, offset: String(offset), timestamp },
      'skipping record with an invalid (negative) timestamp',
    );
    this.metrics.skippedRecordsTotal++;
    this.markConsumed(q, offset);
    return false;
  }

  /**
   * Fills in the record's key, value and headers; false (the record is skipped and counted) when
   * the deserialization handler says continue, a StreamsException when it says fail.
   */
  private deserialize(q: PartitionQueue, r: QueuedRecord): boolean {
    if (r.deserialized) return true;
    const b = r.buffer;
    const topic = q.topic;
    const d = q.deserializers;
    try {
      if (b === null) {
        r.key = d.key.deserialize(topic, r.rawKey);
        r.value = d.value.deserialize(topic, r.rawValue);
      } else {
        // straight from the fetched bytes when the serde can (no Buffer view per key and value)
        r.key = d.keyRange
          ? d.keyRange.deserializeRange(topic, b, r.keyStart, r.keyStart + r.keyLength)
          : d.key.deserialize(topic, rangeOf(b, r.keyStart, r.keyLength));
        r.value = d.valueRange
          ? d.valueRange.deserializeRange(topic, b, r.valueStart, r.valueStart + r.valueLength)
          : d.value.deserialize(topic, rangeOf(b, r.valueStart, r.valueLength));
      }
    } catch (err) {
      const key = b === null ? r.rawKey : rangeOf(b, r.keyStart, r.keyLength);
      const value = b === null ? r.rawValue : rangeOf(b, r.valueStart, r.valueLength);
      this.deserializationFailed(q, r.offset, key, value, err);
      return false;
    }
    if (b !== null) {
      if (r.headerCount === 0) r.headers = NO_HEADERS;
      else {
        const view = this.view;
        view.buffer = b;
        view.headersStart = r.headersStart;
        view.headerCount = r.headerCount;
        r.headers = view.headers();
      }
      r.buffer = null;
    }
    r.deserialized = true;
    return true;
  }

  /** The deserialization handler's say: a StreamsException, or the record skipped and counted. */
  private deserializationFailed(
    q: PartitionQueue,
    offset: number,
    key: Buffer | null,
    value: Buffer | null,
    err: unknown,
  ): void {
    const response = this.env.deserializationHandler.handle(
      { topic: q.topic, partition: q.partition, offset: BigInt(offset), key, value },
      err as Error,
    );
    if (response === 'FAIL')
      throw new StreamsException(
        `Deserialization exception handler is set to fail upon a deserialization error: topic ${q.topic}, partition ${q.partition}, offset ${offset}: ${(err as Error).message}`,
        { cause: err },
      );
    this.metrics.skippedRecordsTotal++;
    this.markConsumed(q, offset);
  }

  private readonly sourceDeserializers = new Map<SourceNodeDef, SourceDeserializers>();

  private deserializers(source: SourceNodeDef): SourceDeserializers {
    let d = this.sourceDeserializers.get(source);
    if (d === undefined) {
      const internal = source.topics.every((t) => this.topology.internalTopics.has(t));
      const k = internal ? this.env.internalKeySerde : this.env.defaultKeySerde;
      const v = internal ? this.env.internalValueSerde : this.env.defaultValueSerde;
      const key = resolveSerde(source.keySerde, k, k, v).deserializer();
      const value = resolveSerde(source.valueSerde, v, k, v).deserializer();
      d = {
        key,
        value,
        keyRange: isRangeDeserializer(key) ? key : null,
        valueRange: isRangeDeserializer(value) ? value : null,
        keepNoBytes: keepsNoBytes(key) && keepsNoBytes(value),
      };
      this.sourceDeserializers.set(source, d);
    }
    return d;
  }

  private markConsumed(q: PartitionQueue, offset: number): void {
    q.consumed = offset + 1;
    this.commitNeeded = true;
  }

  /** True when records were consumed since the last commit. */
  commitNeeded = false;

  /** Records buffered and not yet processed. */
  get bufferedCount(): number {
    return this.buffered;
  }

  /** Timestamp of the queue's head record, or -1 when it is empty. */
  private headTimestamp(q: PartitionQueue): number {
    if (q.runs.length > 0) return q.runs[0]!.timestamp;
    const r = q.records[q.head];
    return r === undefined ? -1 : r.timestamp;
  }

  /** The queue whose head record has the smallest timestamp, or undefined when all are empty. */
  private nextQueue(): PartitionQueue | undefined {
    const list = this.queueList;
    if (list.length === 1) {
      const q = list[0]!;
      return q.runs.length > 0 || q.head < q.records.length ? q : undefined;
    }
    let best: PartitionQueue | undefined;
    let bestTimestamp = 0;
    for (const q of list) {
      const t = this.headTimestamp(q);
      if (t >= 0 && (best === undefined || t < bestTimestamp)) {
        best = q;
        bestTimestamp = t;
      }
    }
    return best;
  }

  /** Processes up to `max` buffered records; returns how many were taken (processed or skipped). */
  process(max: number): number {
    let n = 0;
    let processed = 0;
    while (n < max) {
      const q = this.nextQueue();
      if (q === undefined) break;
      if (q.runs.length > 0) {
        if (this.processFetched(q, q.runs[0]!)) processed++;
        n++;
        continue;
      }
      const r = q.records[q.head]!;
      // the slot lets go of the record (and its decoded key and value) once processed
      q.records[q.head] = undefined;
      q.head++;
      if (q.head === q.records.length) {
        q.records.length = 0;
        q.head = 0;
      } else if (q.head > 4096) {
        q.records.splice(0, q.head);
        q.head = 0;
      }
      this.buffered--;
      if (this.processOne(q, r)) processed++;
      n++;
    }
    this.metrics.processTotal += processed;
    this.metrics.bufferedRecords = this.buffered;
    return n;
  }

  /**
   * Processes the record the queue's first run is on, decoded straight from the fetched bytes,
   * then moves the run on (its `buffer` may change then: nothing of the record is read after). False when it could not be deserialized and was skipped.
   */
  private processFetched(q: PartitionQueue, run: FetchedRun): boolean {
    const b = run.buffer;
    const topic = q.topic;
    const d = q.deserializers;
    let key: unknown;
    let value: unknown;
    try {
      key = d.keyRange
        ? d.keyRange.deserializeRange(topic, b, run.keyStart, run.keyStart + run.keyLength)
        : d.key.deserialize(topic, run.key());
      value = d.valueRange
        ? d.valueRange.deserializeRange(topic, b, run.valueStart, run.valueStart + run.valueLength)
        : d.value.deserialize(topic, run.value());
    } catch (err) {
      if (run.lease !== null) run.lease.escaped = true;
      this.deserializationFailed(q, run.offset, run.key(), run.value(), err);
      this.took(run);
      this.toNextValid(q, run);
      return false;
    }
    let headers: Headers = NO_HEADERS;
    if (run.headerCount > 0) {
      // header values are views of the fetched bytes
      if (run.lease !== null) run.lease.escaped = true;
      headers = run.headers();
    }
    this.run(q, run.offset, run.timestamp, key, value, headers);
    // on to the next record once this one is through (a skipped one after it is consumed after it)
    this.took(run);
    this.toNextValid(q, run);
    return true;
  }

  /** False when the record could not be deserialized and was skipped. */
  private processOne(q: PartitionQueue, r: QueuedRecord): boolean {
    if (!this.deserialize(q, r)) return false;
    this.run(q, r.offset, r.timestamp, r.key, r.value, r.headers!);
    return true;
  }

  /** Runs one deserialized record through the sub-topology from its source. */
  private run(
    q: PartitionQueue,
    offset: number,
    timestamp: number,
    key: unknown,
    value: unknown,
    headers: Headers,
  ): void {
    if (timestamp > this.streamTime) this.streamTime = timestamp;
    const c = this.recordContext;
    c.topic = q.topic;
    c.partition = q.partition;
    c.offset = offset;
    c.timestamp = timestamp;
    c.headers = headers;
    this.context = c;
    q.node.process({ key, value, timestamp, headers });
    this.context = null;
    q.consumed = offset + 1;
    this.commitNeeded = true;
    if (this.schedules.length > 0) this.punctuateStreamTime();
  }

  private punctuateStreamTime(): void {
    if (this.schedules.length === 0 || this.streamTime === NO_TIME) return;
    for (const s of this.schedules) {
      if (s.cancelled || s.type !== PunctuationType.STREAM_TIME) continue;
      if (s.next === undefined || this.streamTime >= s.next) {
        const base = s.next ?? this.streamTime;
        s.next = base + s.interval * Math.max(1, Math.floor((this.streamTime - base) / s.interval) + 1);
        this.runPunctuator(s, this.streamTime);
      }
    }
    this.pruneSchedules();
  }

  /** Fires due wall-clock punctuators; returns how many fired. */
  punctuateWallClock(now: number): number {
    let fired = 0;
    for (const s of this.schedules) {
      if (s.cancelled || s.type !== PunctuationType.WALL_CLOCK_TIME || s.next === undefined) continue;
      if (now >= s.next) {
        s.next += s.interval * Math.max(1, Math.floor((now - s.next) / s.interval) + 1);
        this.runPunctuator(s, now);
        fired++;
      }
    }
    this.pruneSchedules();
    return fired;
  }

  private pruneSchedules(): void {
    if (this.schedules.some((s) => s.cancelled)) {
      const live = this.schedules.filter((s) => !s.cancelled);
      this.schedules.length = 0;
      this.schedules.push(...live);
    }
  }

  private runPunctuator(s: Schedule, timestamp: number): void {
    const previous = this.currentNode;
    const previousContext = this.context;
    this.context = { topic: null, partition: this.id.partition, offset: -1, timestamp, headers: [] };
    this.currentNode = s.node;
    try {
      s.punctuator(timestamp);
    } finally {
      this.currentNode = previous;
      this.context = previousContext;
    }
    this.env.metrics.punctuateTotal++;
  }

  /** Runs `fn` with a record context of the given timestamp (cache flushes forward this way). */
  withContext(timestamp: number, headers: Headers, fn: () => void): void {
    const previous = this.context;
    this.context = { topic: null, partition: this.id.partition, offset: -1, timestamp, headers };
    try {
      fn();
    } finally {
      this.context = previous;
    }
  }

  currentStreamTime(): number {
    return this.streamTime;
  }

  /** Flushes stores (writing changelog records and cached DSL output) and returns offsets to commit. */
  prepareCommit(): Map<string, bigint> {
    for (const store of this.stores.values()) store.flush();
    this.commitRequested = false;
    if (!this.commitNeeded) return new Map();
    this.commitNeeded = false;
    return this.consumedOffsets();
  }

  /** Offsets to commit without flushing (already flushed). */
  consumedOffsets(): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const q of this.queueList) if (q.consumed >= 0) out.set(q.tp, BigInt(q.consumed));
    return out;
  }

  /** Drops buffered records (the task is being closed or its fetch positions reset). */
  clearBuffers(): void {
    // the queues stay (with how far each partition was consumed); only their records go
    for (const q of this.queueList) {
      q.records.length = 0;
      q.head = 0;
      q.runs.length = 0;
    }
    this.buffered = 0;
    this.metrics.bufferedRecords = 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.processors) {
      try {
        p.close?.();
      } catch (err) {
        this.env.logger.warn({ task: this.idString, err: (err as Error).message }, 'processor close failed');
      }
    }
    for (const store of this.stores.values()) store.close();
    this.clearBuffers();
    this.env.metrics.removeTask(this.idString);
  }

  get droppedRecords(): TaskMetrics {
    return this.metrics;
  }
}
