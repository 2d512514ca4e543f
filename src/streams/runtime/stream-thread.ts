/**
 * The processing loop of an instance (Kafka Streams' StreamThread): join the group, open and
 * restore the assigned tasks, then fetch → process → produce, committing every
 * commit.interval.ms (and before every rebalance). Under at_least_once a commit flushes stores and
 * waits for the producer before committing input offsets; under exactly_once_v2 the changelog and
 * output records and the input offsets (TxnOffsetCommit with the group generation) are one
 * transaction, and a fenced or lost instance aborts it, drops its tasks' local state and rejoins.
 */
import type { Consumer } from '@platformatic/kafka';
import {
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
} from '@platformatic/kafka';
import { type RawFetcher, visitRecords } from '../../client/raw-fetch.ts';
import type { StreamsConfig } from '../config.ts';
import { type Logger, StreamsException, TaskMigratedException } from '../errors.ts';
import type { ChangelogRecord, StateStore } from '../processor/api.ts';
import type { Topology } from '../processor/topology.ts';
import type { Serde } from '../serdes.ts';
import type { StateDirectory } from '../state/state-directory.ts';
import { StoreBase } from '../state/store-base.ts';
import {
  type AssignmentInfo,
  assignTasks,
  decodeAssignment,
  decodeSubscription,
  encodeJson,
  type SubscriptionInfo,
} from './assignor.ts';
import { endOffsets, type FetchedSlice, fetchOnce, fetchRawOnce, splitTp, tpKey } from './fetcher.ts';
import type { GlobalStores } from './global-stores.ts';
import { type GroupMember, kafkaErrorId, needsRejoin } from './group-member.ts';
import type { InternalTopicsPlan } from './internal-topics.ts';
import type { StreamsMetrics } from './metrics.ts';
import type { KafkaRecordCollector } from './record-collector.ts';
import { ResponseLease } from './response-lease.ts';
import { parseTaskId, StreamTask, type TaskEnvironment } from './stream-task.ts';

/** Kafka's StateRestoreListener. */
export interface StateRestoreListener {
  onRestoreStart?(
    topicPartition: { topic: string; partition: number },
    storeName: string,
    startingOffset: bigint,
    endingOffset: bigint,
  ): void;
  onBatchRestored?(
    topicPartition: { topic: string; partition: number },
    storeName: string,
    batchEndOffset: bigint,
    numRestored: number,
  ): void;
  onRestoreEnd?(
    topicPartition: { topic: string; partition: number },
    storeName: string,
    totalRestored: number,
  ): void;
}

export interface ThreadDeps {
  topology: Topology;
  config: StreamsConfig;
  serdes: {
    defaultKeySerde: Serde<unknown>;
    defaultValueSerde: Serde<unknown>;
    internalKeySerde: Serde<unknown>;
    internalValueSerde: Serde<unknown>;
  };
  consumer: Consumer;
  /** Fetches input, changelog and global-topic records (its own connections). */
  fetcher: RawFetcher;
  member: GroupMember;
  collector: KafkaRecordCollector;
  stateDirectory: StateDirectory;
  plan: InternalTopicsPlan;
  globals: GlobalStores;
  processId: string;
  transactionalId: string | null;
  producerInfo: () => { producerId: bigint; producerEpoch: number } | null;
  logger: Logger;
  metrics: StreamsMetrics;
  restoreListener: () => StateRestoreListener | null;
  onStateChange: (state: 'REBALANCING' | 'RUNNING') => void;
}

const MAX_BUFFERED_PER_TASK = 20_000;

interface PendingFetch {
  /** Rebalance epoch the fetch belongs to (its results are dropped after a rebalance). */
  epoch: number;
  positions: Map<string, bigint>;
  promise: Promise<FetchedSlice[]>;
}

export class StreamThread {
  private readonly d: ThreadDeps;
  readonly tasks = new Map<string, StreamTask>();
  private readonly positions = new Map<string, bigint>();
  private readonly taskByPartition = new Map<string, StreamTask>();
  private readonly globalPositions = new Map<string, bigint>();
  assignment: AssignmentInfo | null = null;
  private stopping = false;
  /** Resolves on stop(): a long poll or idle wait under way ends then (Kafka's consumer.wakeup()). */
  private wakeOnStop!: () => void;
  private readonly stopped = new Promise<null>((resolve) => {
    this.wakeOnStop = () => resolve(null);
  });
  private joined = false;
  private lastCommit = Date.now();
  private readonly eos: boolean;
  private epoch = 0;
  private readonly highWatermarks = new Map<string, bigint>();
  private pendingFetch: PendingFetch | null = null;

  constructor(deps: ThreadDeps) {
    this.d = deps;
    this.eos = deps.config.processingGuarantee === 'exactly_once_v2';
  }

  stop(): void {
    this.stopping = true;
    this.wakeOnStop();
  }

  /** Runs until stop(); throws on a fatal error. */
  async run(): Promise<void> {
    await this.bootstrapGlobals();
    while (!this.stopping) {
      if (!this.joined || this.d.member.rebalanceNeeded) {
        await this.rebalance();
        continue;
      }
      try {
        await this.pollAndProcess();
        const now = Date.now();
        for (const t of this.tasks.values()) t.punctuateWallClock(now);
        if (
          now - this.lastCommit >= this.d.config.commitIntervalMs ||
          [...this.tasks.values()].some((t) => t.commitRequested)
        )
          await this.commit();
      } catch (err) {
        if (err instanceof TaskMigratedException || needsRejoin(err) || isFenced(err)) {
          this.d.logger.warn(
            { err: (err as Error).message },
            'tasks migrated (fenced or out of the group); closing them and rejoining',
          );
          await this.closeAllDirty();
          this.joined = false;
          continue;
        }
        throw err;
      }
    }
  }

  /** Commits and closes everything cleanly, then leaves the group. */
  async shutdown(): Promise<void> {
    try {
      if (this.joined) await this.commit();
      for (const id of [...this.tasks.keys()]) await this.closeTask(id, true);
    } catch (err) {
      this.d.logger.warn(
        { err: (err as Error).message },
        'commit on shutdown failed; closing tasks without a checkpoint',
      );
      await this.closeAllDirty();
    }
    await this.d.member.leave();
  }

  // ---------------------------------------------------------------- global stores

  private async bootstrapGlobals(): Promise<void> {
    const topics = this.d.globals.topics();
    if (topics.length === 0) return;
    const tps = topics.flatMap((t) =>
      Array.from({ length: this.d.plan.partitionCounts.get(t) ?? 0 }, (_, p) => tpKey(t, p)),
    );
    const start = await endOffsets(this.d.consumer, tps, 'earliest', 1);
    const end = await endOffsets(this.d.consumer, tps, 'latest', 1);
    for (const tp of tps) this.globalPositions.set(tp, start.get(tp) ?? 0n);
    while ([...this.globalPositions].some(([tp, pos]) => pos < (end.get(tp) ?? 0n))) {
      const fetched = await fetchOnce(this.d.fetcher, this.d.consumer, this.globalPositions, {
        isolationLevel: 1,
        maxWaitMs: 100,
      });
      for (const records of fetched.values()) for (const r of records) this.d.globals.apply(r);
    }
    this.d.globals.flush();
    this.d.logger.info({ topics }, 'global stores loaded');
  }

  // ---------------------------------------------------------------- rebalance

  private subscription(): Buffer {
    const info: SubscriptionInfo = {
      version: 1,
      processId: this.d.processId,
      endpoint: this.d.config.applicationServer
        ? `${this.d.config.applicationServer.host}:${this.d.config.applicationServer.port}`
        : null,
      prevTasks: [...this.tasks.keys()],
      stateTasks: this.d.stateDirectory.tasksWithState(),
    };
    const topics = [...new Set(this.d.plan.subtopologies.flatMap((s) => s.sourceTopics))].sort();
    return encodeConsumerProtocolSubscription({ version: 0, topics, userData: encodeJson(info) });
  }

  private async assign(members: { memberId: string; metadata: Buffer }[]): Promise<Map<string, Buffer>> {
    const decoded = members.map((m) => {
      const sub = decodeConsumerProtocolSubscription(m.metadata);
      const info = decodeSubscription(sub.userData) ?? {
        version: 1 as const,
        processId: m.memberId,
        endpoint: null,
        prevTasks: [],
        stateTasks: [],
      };
      return { memberId: m.memberId, info };
    });
    const out = new Map<string, Buffer>();
    let result: ReturnType<typeof assignTasks>;
    let error: string | null = null;
    try {
      result = assignTasks({
        subtopologies: this.d.plan.subtopologies,
        partitionCounts: this.d.plan.partitionCounts,
        members: decoded,
      });
    } catch (err) {
      error = (err as Error).message;
      result = new Map(decoded.map((m) => [m.memberId, { tasks: [], partitions: [] }]));
    }
    const tasksByHost: AssignmentInfo['tasksByHost'] = {};
    const partitionsByHost: AssignmentInfo['partitionsByHost'] = {};
    for (const m of decoded) {
      if (!m.info.endpoint) continue;
      const a = result.get(m.memberId)!;
      tasksByHost[m.info.endpoint] = [...(tasksByHost[m.info.endpoint] ?? []), ...a.tasks];
      partitionsByHost[m.info.endpoint] = [
        ...(partitionsByHost[m.info.endpoint] ?? []),
        ...a.partitions.map((p) => tpKey(p.topic, p.partition)),
      ];
    }
    for (const m of decoded) {
      const a = result.get(m.memberId)!;
      const byTopic = new Map<string, number[]>();
      for (const p of a.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
      const info: AssignmentInfo = { version: 1, error, activeTasks: a.tasks, tasksByHost, partitionsByHost };
      out.set(
        m.memberId,
        encodeConsumerProtocolAssignment({
          version: 0,
          assignedPartitions: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
          userData: encodeJson(info),
        }),
      );
    }
    return out;
  }

  private async rebalance(): Promise<void> {
    this.epoch++;
    this.pendingFetch = null;
    this.d.onStateChange('REBALANCING');
    this.d.metrics.rebalanceTotal++;
    if (this.d.member.lost) await this.closeAllDirty();
    else if (this.tasks.size > 0) {
      try {
        await this.commit();
      } catch (err) {
        if (!(needsRejoin(err) || isFenced(err) || err instanceof TaskMigratedException)) throw err;
        await this.closeAllDirty();
      }
    }
    const bytes = await this.d.member.join(this.subscription(), (members) => this.assign(members));
    const assignment = decodeConsumerProtocolAssignment(bytes);
    const info = decodeAssignment(assignment.userData);
    if (info === null)
      throw new StreamsException(
        'the group leader sent an assignment this instance cannot read (another application with the same application.id?)',
      );
    if (info.error !== null) throw new StreamsException(`task assignment failed: ${info.error}`);
    this.assignment = info;
    const wanted = new Set(info.activeTasks);
    for (const id of [...this.tasks.keys()]) if (!wanted.has(id)) await this.closeTask(id, true);
    for (const id of info.activeTasks) if (!this.tasks.has(id)) await this.openTask(id);
    await this.initPositions();
    this.joined = true;
    this.lastCommit = Date.now();
    this.d.logger.info(
      { generation: this.d.member.generationId, tasks: info.activeTasks },
      'assignment received',
    );
    this.d.onStateChange('RUNNING');
  }

  private taskEnvironment(taskId: string): TaskEnvironment {
    const d = this.d;
    return {
      applicationId: d.config.applicationId,
      ...d.serdes,
      deserializationHandler: d.config.deserializationHandler(d.logger),
      defaultTimestampExtractor: d.config.timestampExtractor,
      cacheMaxBytes: d.config.cacheMaxBytes,
      resolveTopic: (name) =>
        d.topology.internalTopics.has(name) ? `${d.config.applicationId}-${name}` : name,
      collector: d.collector,
      stateDir: d.stateDirectory.taskDir(taskId),
      changelogTopic: (store) => d.plan.changelogs.get(store) ?? null,
      globalStore: (name: string): StateStore | undefined => d.globals.store(name),
      systemTime: () => Date.now(),
      metrics: d.metrics,
      logger: d.logger,
    };
  }

  private async openTask(id: string): Promise<void> {
    const { subtopology, partition } = parseTaskId(id);
    const checkpoint = this.d.stateDirectory.readCheckpoint(id);
    if (checkpoint === null) this.d.stateDirectory.wipeTask(id);
    // from now on the local state may run ahead of the changelog: no checkpoint until a clean close
    this.d.stateDirectory.deleteCheckpoint(id);
    const task = new StreamTask(this.d.topology, subtopology, partition, this.taskEnvironment(id));
    task.initStores();
    await this.restore(task, checkpoint ?? new Map());
    task.initProcessors();
    this.tasks.set(id, task);
    for (const p of task.inputPartitions) this.taskByPartition.set(tpKey(p.topic, p.partition), task);
  }

  private async restore(task: StreamTask, checkpoint: Map<string, bigint>): Promise<void> {
    const listener = this.d.restoreListener();
    const changelogs = new Map<string, StateStore>();
    for (const [name, store] of task.stores) {
      const topic = this.d.plan.changelogs.get(name);
      if (topic) changelogs.set(tpKey(topic, task.id.partition), store);
    }
    if (changelogs.size === 0) return;
    const tps = [...changelogs.keys()];
    const start = await endOffsets(this.d.consumer, tps, 'earliest', 1);
    const end = await endOffsets(this.d.consumer, tps, 'latest', 1);
    const positions = new Map<string, bigint>();
    for (const tp of tps) {
      const from = checkpoint.get(tp) ?? start.get(tp) ?? 0n;
      const to = end.get(tp) ?? 0n;
      if (from < to) positions.set(tp, from < (start.get(tp) ?? 0n) ? start.get(tp)! : from);
    }
    const counts = new Map<string, number>();
    for (const [tp] of positions) {
      const store = changelogs.get(tp)!;
      listener?.onRestoreStart?.(splitTp(tp), store.name, positions.get(tp)!, end.get(tp)!);
      this.d.logger.info(
        { task: task.idString, store: store.name, from: String(positions.get(tp)), to: String(end.get(tp)) },
        'restoring store from its changelog',
      );
      counts.set(tp, 0);
    }
    const started = performance.now();
    const fetchNext = () =>
      fetchRawOnce(this.d.fetcher, this.d.consumer, positions, {
        isolationLevel: 1,
        maxWaitMs: 50,
        partitionMaxBytes: 8 * 1024 * 1024,
      });
    let next: Promise<FetchedSlice[]> | null = positions.size > 0 ? fetchNext() : null;
    while (next !== null) {
      const fetched = await next;
      // the next fetch is on the wire while this one is written to the stores
      next = [...positions].some(([tp, pos]) => pos < end.get(tp)!) ? fetchNext() : null;
      next?.catch(() => {});
      for (const slice of fetched) {
        const store = changelogs.get(slice.tp)!;
        const limit = Number(end.get(slice.tp)!);
        let n = 0;
        let last = -1;
        // records go from the fetched bytes into the store in one write batch (one lmdb transaction)
        const apply = (put: (key: Buffer, value: Buffer | null, timestamp: number) => void) =>
          visitRecords(
            slice.fetched,
            slice.position,
            (r) => {
              last = r.offset;
              if (r.keyLength < 0) return;
              put(r.key()!, r.value(), r.timestamp);
              n++;
            },
            { endOffset: limit },
          );
        if (store instanceof StoreBase) store.restoreWith(apply);
        else {
          const batch: ChangelogRecord[] = [];
          apply((key, value, timestamp) => batch.push({ key, value, timestamp }));
          store.restoreBatch(batch);
        }
        if (last < 0) continue;
        counts.set(slice.tp, counts.get(slice.tp)! + n);
        this.d.metrics.restoredRecordsTotal += n;
        listener?.onBatchRestored?.(splitTp(slice.tp), store.name, BigInt(last), n);
      }
      for (const [tp, pos] of [...positions]) {
        if (pos >= end.get(tp)!) {
          positions.delete(tp);
          const store = changelogs.get(tp)!;
          listener?.onRestoreEnd?.(splitTp(tp), store.name, counts.get(tp)!);
          this.d.logger.info(
            {
              task: task.idString,
              store: store.name,
              restored: counts.get(tp),
              ms: Math.round(performance.now() - started),
            },
            'store restored',
          );
        }
      }
    }
  }

  private async initPositions(): Promise<void> {
    const missing = [...this.taskByPartition.keys()].filter((tp) => !this.positions.has(tp));
    if (missing.length === 0) return;
    const committed = await this.d.member.committedOffsets(missing.map(splitTp));
    const needReset = missing.filter((tp) => !committed.has(tp));
    const earliest =
      needReset.length > 0
        ? await endOffsets(this.d.consumer, needReset, 'earliest', this.eos ? 1 : 0)
        : new Map<string, bigint>();
    const latestTopics = this.latestResetTopics();
    const latest = needReset.some((tp) => latestTopics.has(splitTp(tp).topic))
      ? await endOffsets(this.d.consumer, needReset, 'latest', this.eos ? 1 : 0)
      : new Map<string, bigint>();
    for (const tp of missing) {
      const c = committed.get(tp);
      if (c !== undefined) this.positions.set(tp, c);
      else
        this.positions.set(
          tp,
          (latestTopics.has(splitTp(tp).topic) ? latest.get(tp) : earliest.get(tp)) ?? 0n,
        );
    }
  }

  private latestResetTopics(): Set<string> {
    const out = new Set<string>();
    for (const n of this.d.topology.nodes.values())
      if (n.kind === 'source' && n.offsetReset === 'latest') for (const t of n.topics) out.add(t);
    return out;
  }

  private async closeTask(id: string, clean: boolean): Promise<void> {
    const task = this.tasks.get(id);
    if (!task) return;
    this.tasks.delete(id);
    for (const p of task.inputPartitions) {
      const tp = tpKey(p.topic, p.partition);
      this.taskByPartition.delete(tp);
      this.positions.delete(tp);
    }
    task.close();
    if (clean) {
      const topics = [...task.stores.keys()]
        .map((s) => this.d.plan.changelogs.get(s))
        .filter((t): t is string => t !== undefined);
      const tps = topics.map((t) => tpKey(t, task.id.partition));
      const ends =
        tps.length > 0 ? await endOffsets(this.d.consumer, tps, 'latest', 1) : new Map<string, bigint>();
      this.d.stateDirectory.writeCheckpoint(id, ends);
    } else {
      this.d.stateDirectory.wipeTask(id);
    }
  }

  private async closeAllDirty(): Promise<void> {
    this.epoch++;
    this.pendingFetch = null;
    await this.d.collector.abort();
    for (const id of [...this.tasks.keys()]) await this.closeTask(id, false);
    this.positions.clear();
  }

  // ---------------------------------------------------------------- processing

  /** Starts a fetch of every partition whose task has room, from the current positions. */
  private startFetch(maxWaitMs: number): PendingFetch | null {
    const positions = new Map<string, bigint>();
    for (const [tp, task] of this.taskByPartition)
      if (task.bufferedCount < MAX_BUFFERED_PER_TASK) positions.set(tp, this.positions.get(tp)!);
    if (positions.size === 0) return null;
    const promise = fetchRawOnce(this.d.fetcher, this.d.consumer, positions, {
      isolationLevel: this.eos ? 1 : 0,
      maxWaitMs,
      onHighWatermark: (tp, hw) => this.highWatermarks.set(tp, hw),
    });
    promise.catch(() => {});
    return { epoch: this.epoch, positions, promise };
  }

  private async pollAndProcess(): Promise<void> {
    const globals = this.globalPositions.size > 0;
    const anyBuffered = [...this.tasks.values()].some((t) => t.bufferedCount > 0);
    let pending = this.pendingFetch;
    this.pendingFetch = null;
    if (pending === null || pending.epoch !== this.epoch)
      pending = this.startFetch(anyBuffered ? 0 : this.d.config.pollMs);
    // stop() does not wait out the long poll: the fetch's records are left unprocessed (their
    // positions not taken), and shutdown commits what was processed
    const fetched = pending === null ? [] : await Promise.race([pending.promise, this.stopped]);
    if (fetched === null) return;
    if (pending !== null && pending.epoch === this.epoch) {
      for (const [tp, pos] of pending.positions) {
        if (!this.positions.has(tp)) continue;
        this.positions.set(tp, pos);
        const hw = this.highWatermarks.get(tp);
        const task = this.taskByPartition.get(tp);
        if (hw !== undefined && task)
          this.d.metrics.task(task.idString).lag.set(tp, Math.max(0, Number(hw - pos)));
      }
      // each response's buffer goes back to the fetcher once its records are used up (response-lease.ts)
      const leases = new Map<ArrayBufferLike, ResponseLease>();
      for (const s of fetched) {
        const records = s.fetched.records;
        let lease: ResponseLease | null = null;
        if (records !== null) {
          lease = leases.get(records.buffer) ?? null;
          if (lease === null) {
            const fetcher = this.d.fetcher;
            leases.set(records.buffer, (lease = new ResponseLease(() => fetcher.release(records))));
          }
        }
        this.taskByPartition.get(s.tp)?.addFetched(s.topic, s.partition, s.fetched, s.position, lease);
      }
      for (const lease of leases.values()) lease.drop();
      // pipelining: the next fetch is on the wire while these records are processed. Starting it
      // only queues promise steps (metadata, connection) before its request is written: they run
      // once the stack is empty, so without a turn of the event loop here the request would go
      // out after the round's processing, and the broker's answer be waited for every round.
      if (fetched.length > 0) {
        this.pendingFetch = this.startFetch(this.d.config.pollMs);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    const positions = pending?.positions ?? new Map<string, bigint>();
    if (globals) {
      const g = await fetchOnce(this.d.fetcher, this.d.consumer, this.globalPositions, {
        isolationLevel: 1,
        maxWaitMs: 0,
      });
      for (const records of g.values()) for (const r of records) this.d.globals.apply(r);
    }
    if (positions.size === 0 && !anyBuffered) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise((r) => (timer = setTimeout(r, this.d.config.pollMs))), this.stopped]);
      clearTimeout(timer);
    }
    const started = performance.now();
    let processed = 0;
    for (const task of this.tasks.values()) processed += task.process(this.d.config.maxPollRecords * 10);
    this.d.metrics.recordProcess(processed, performance.now() - started);
    this.d.collector.sendBuffered();
  }

  /** Commits all tasks: flush stores, produce, then commit offsets (in the transaction under EOS). */
  async commit(): Promise<void> {
    const started = performance.now();
    const offsets = new Map<string, bigint>();
    for (const task of this.tasks.values()) for (const [tp, o] of task.prepareCommit()) offsets.set(tp, o);
    this.d.globals.flush();
    try {
      if (this.eos) {
        await this.d.collector.commitTransaction(async (txn) => {
          if (offsets.size === 0) return;
          await txn.addConsumer({ groupId: this.d.config.applicationId } as never);
          const info = this.d.producerInfo();
          if (!info || !this.d.transactionalId)
            throw new StreamsException('transactional producer not initialized');
          await this.d.member.commitOffsetsInTransaction(
            offsets,
            this.d.transactionalId,
            info.producerId,
            info.producerEpoch,
          );
        }, offsets.size > 0);
      } else {
        await this.d.collector.flush();
        await this.d.member.commitOffsets(offsets);
      }
    } catch (err) {
      if (isFenced(err) || needsRejoin(err))
        throw new TaskMigratedException(`commit failed: ${(err as Error).message}`, { cause: err });
      throw err;
    }
    this.lastCommit = Date.now();
    this.d.metrics.recordCommit(performance.now() - started);
  }
}

export function isFenced(err: unknown): boolean {
  const id = kafkaErrorId(err);
  return (
    id === 'INVALID_PRODUCER_EPOCH' ||
    id === 'PRODUCER_FENCED' ||
    id === 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED' ||
    id === 'INVALID_PRODUCER_ID_MAPPING'
  );
}
