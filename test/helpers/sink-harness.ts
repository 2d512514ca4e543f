/**
 * Runs one sink task against a real broker the way a Connect worker would, for connector tests below
 * the runtime: it starts the task, assigns it every partition of its topics (plus the plugin's
 * additional topics), resumes each partition at the offsets committed for `groupId` (earliest
 * otherwise), fetches with real Kafka requests, converts records (string, JSON or bytes), calls
 * `put` after every fetch (empty batches included), honours pause/resume/offset/timeout, and
 * commits what `preCommit` releases to the group through the admin API every `commitIntervalMs`.
 * `kafka.send`/`ensureTopic` use a real producer (acks=all) and admin client.
 *
 * `crash()` abandons the task without a final commit (what kill -9 leaves behind); `stop()` commits
 * what preCommit releases, then stops the task.
 */
import type { Admin, Consumer, Producer } from '@platformatic/kafka';
import pino from 'pino';
import { createAdmin, createConsumer, createProducer } from '../../src/client/clients.ts';
import { nextFetchOffset, recordsFromBatches } from '../../src/client/consumed-record.ts';
import type {
  ConnectConfig,
  ConnectHeader,
  ErrantRecordReporter,
  SinkOffsets,
  SinkRecord,
  SinkTask,
  SinkTaskContext,
  TopicPartition,
} from '../../src/connect/api/index.ts';
import { topicPartitionKey } from '../../src/connect/api/index.ts';
import { taskKafka } from '../../src/connect/runtime/task-kafka.ts';

export type HarnessConverter = 'string' | 'json' | 'bytes';

export interface SinkHarnessOptions {
  bootstrap: string;
  task: SinkTask;
  config: ConnectConfig;
  /** Topics from the config plus any the plugin adds (retry topics). */
  topics: readonly string[];
  groupId: string;
  keyConverter?: HarnessConverter;
  valueConverter?: HarnessConverter;
  commitIntervalMs?: number;
  /** How long a fetch may wait for records. */
  pollMaxWaitMs?: number;
  errantRecordReporter?: ErrantRecordReporter | null;
  connectorName?: string;
  /** Called with every record batch given to put (after conversion). */
  onPut?: (records: readonly SinkRecord[]) => void;
}

export interface SinkHarness {
  readonly paused: ReadonlySet<string>;
  /** Resolves when the poll loop ends; rejects with the task's error when put/preCommit threw. */
  readonly done: Promise<void>;
  /** Times `timeout(ms)` was requested. */
  readonly timeouts: number[];
  /** Times pause/resume were called, with the partition. */
  readonly pauses: { at: number; tp: string; paused: boolean }[];
  commitNow(): Promise<void>;
  stop(): Promise<void>;
  crash(): Promise<void>;
  error(): Error | null;
}

function convert(bytes: Buffer | null, as: HarnessConverter): unknown {
  if (bytes === null) return null;
  if (as === 'bytes') return bytes;
  const text = bytes.toString('utf8');
  return as === 'json' ? JSON.parse(text) : text;
}

export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<Map<string, bigint>> {
  const result = new Map<string, bigint>();
  const wanted = new Set(topics);
  const groups = await admin.listConsumerGroupOffsets({ groups: [groupId] });
  for (const group of groups)
    for (const topic of group.topics.filter((t) => wanted.has(t.name)))
      for (const p of topic.partitions)
        if (p.committedOffset >= 0n)
          result.set(topicPartitionKey(topic.name, p.partitionIndex), p.committedOffset);
  return result;
}

export async function runSinkTask(options: SinkHarnessOptions): Promise<SinkHarness> {
  const connection = { bootstrapBrokers: [options.bootstrap] };
  const admin: Admin = createAdmin(connection, { clientId: 'sink-harness' });
  const producer: Producer = createProducer(connection, { clientId: 'sink-harness' });
  const consumer: Consumer = createConsumer(connection, {
    clientId: 'sink-harness',
    groupId: options.groupId,
  });
  const abort = new AbortController();
  const paused = new Set<string>();
  const positions = new Map<string, { topic: string; partition: number; offset: bigint }>();
  const current: SinkOffsets = new Map();
  const timeouts: number[] = [];
  const pauses: SinkHarness['pauses'] = [];
  let wakeAt = Number.POSITIVE_INFINITY;
  let commitRequested = false;
  let failure: Error | null = null;
  const logger = pino({ level: process.env.SAMSA_TEST_LOG_LEVEL ?? 'silent' });
  const assignment: TopicPartition[] = [];

  const context: SinkTaskContext = {
    connectorName: options.connectorName ?? 'harness',
    taskId: 0,
    logger,
    signal: abort.signal,
    assignment: () => assignment,
    offset(offsets) {
      for (const o of offsets)
        positions.set(topicPartitionKey(o.topic, o.partition), {
          topic: o.topic,
          partition: o.partition,
          offset: o.offset,
        });
    },
    timeout(ms) {
      timeouts.push(ms);
      wakeAt = Math.min(wakeAt, Date.now() + ms);
    },
    pause(...tps) {
      for (const tp of tps) {
        paused.add(topicPartitionKey(tp.topic, tp.partition));
        pauses.push({ at: Date.now(), tp: topicPartitionKey(tp.topic, tp.partition), paused: true });
      }
    },
    resume(...tps) {
      for (const tp of tps) {
        paused.delete(topicPartitionKey(tp.topic, tp.partition));
        pauses.push({ at: Date.now(), tp: topicPartitionKey(tp.topic, tp.partition), paused: false });
      }
    },
    requestCommit() {
      commitRequested = true;
    },
    errantRecordReporter: options.errantRecordReporter ?? null,
    // The worker's own: retry and dead-letter records in runs that fit the topic's batches.
    kafka: taskKafka(producer, admin),
  };

  const closeClients = async (): Promise<void> => {
    await Promise.allSettled([consumer.close(), producer.close(), admin.close()]);
  };
  try {
    await options.task.start(options.config, context);
  } catch (err) {
    await closeClients();
    throw err;
  }
  const metadata = await consumer.metadata({ topics: [...options.topics], forceUpdate: true });
  const topicIds = new Map<string, string>();
  for (const name of options.topics) {
    const info = metadata.topics.get(name);
    if (!info) throw new Error(`harness: topic ${name} does not exist`);
    topicIds.set(info.id, name);
    for (let p = 0; p < info.partitionsCount; p++) assignment.push({ topic: name, partition: p });
  }
  const committed = await committedOffsets(admin, options.groupId, options.topics);
  const earliest = await consumer.listOffsets({ topics: [...options.topics], timestamp: -2n });
  for (const tp of assignment) {
    const key = topicPartitionKey(tp.topic, tp.partition);
    const start = committed.get(key) ?? earliest.get(tp.topic)?.[tp.partition] ?? 0n;
    positions.set(key, { ...tp, offset: start });
  }
  await options.task.open?.(assignment);

  const commit = async (): Promise<void> => {
    if (current.size === 0) return;
    let safe = current;
    if (options.task.preCommit) safe = await options.task.preCommit(new Map(current));
    else await options.task.flush?.(new Map(current));
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
    for (const o of safe.values())
      byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
    await admin.alterConsumerGroupOffsets({
      groupId: options.groupId,
      topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
    });
  };

  const keyAs = options.keyConverter ?? 'string';
  const valueAs = options.valueConverter ?? 'string';
  const commitInterval = options.commitIntervalMs ?? 200;

  const loop = async (): Promise<void> => {
    let lastCommit = Date.now();
    while (!abort.signal.aborted) {
      const active = [...positions.values()].filter(
        (p) => !paused.has(topicPartitionKey(p.topic, p.partition)),
      );
      const waitMs = Math.max(0, Math.min(options.pollMaxWaitMs ?? 100, wakeAt - Date.now()));
      const records: SinkRecord[] = [];
      if (active.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(5, Math.min(waitMs, 50))));
      } else {
        const byTopic = new Map<string, typeof active>();
        for (const p of active) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
        const response = await consumer.fetch({
          node: metadata.brokers.keys().next().value as number,
          topics: [...byTopic].map(([topic, parts]) => ({
            topicId: metadata.topics.get(topic)!.id,
            partitions: parts.map((p) => ({
              partition: p.partition,
              fetchOffset: p.offset,
              partitionMaxBytes: 1024 * 1024,
              currentLeaderEpoch: -1,
              lastFetchedEpoch: -1,
            })),
          })),
          maxWaitTime: waitMs,
          minBytes: 1,
          maxBytes: 8 * 1024 * 1024,
          isolationLevel: 1,
        } as never);
        for (const topicResponse of response.responses) {
          const topic = topicIds.get(topicResponse.topicId);
          if (topic === undefined) continue;
          for (const p of topicResponse.partitions) {
            const key = topicPartitionKey(topic, p.partitionIndex);
            const position = positions.get(key);
            if (!position || p.errorCode !== 0 || paused.has(key)) continue;
            const batches = p.records ?? [];
            for (const r of recordsFromBatches(
              topic,
              p.partitionIndex,
              batches,
              position.offset,
              p.abortedTransactions ?? [],
            )) {
              const headers: ConnectHeader[] = r.headers.map(([k, v]) => ({
                key: k.toString(),
                value: v?.toString() ?? null,
              }));
              const raw = {
                key: r.key,
                value: r.value,
                headers: r.headers.map(([k, v]) => [k.toString(), v ?? Buffer.alloc(0)] as const),
                timestamp: Number(r.timestamp),
              };
              records.push({
                topic,
                kafkaPartition: r.partition,
                keySchema: null,
                key: convert(r.key, keyAs),
                valueSchema: null,
                value: convert(r.value, valueAs),
                timestamp: Number(r.timestamp),
                headers,
                kafkaOffset: r.offset,
                timestampType: 'CreateTime',
                originalTopic: topic,
                originalKafkaPartition: r.partition,
                originalKafkaOffset: r.offset,
                raw,
              });
            }
            position.offset = nextFetchOffset(batches, position.offset);
          }
        }
      }
      if (Date.now() >= wakeAt) wakeAt = Number.POSITIVE_INFINITY;
      if (abort.signal.aborted) break;
      options.onPut?.(records);
      await options.task.put(records);
      for (const r of records)
        current.set(topicPartitionKey(r.originalTopic, r.originalKafkaPartition), {
          topic: r.originalTopic,
          partition: r.originalKafkaPartition,
          offset: r.originalKafkaOffset + 1n,
        });
      if (commitRequested || Date.now() - lastCommit >= commitInterval) {
        commitRequested = false;
        lastCommit = Date.now();
        await commit();
      }
    }
  };

  const done = loop().catch((err: unknown) => {
    failure = err as Error;
    abort.abort();
    throw err;
  });
  done.catch(() => {});

  return {
    paused,
    done,
    timeouts,
    pauses,
    commitNow: commit,
    error: () => failure,
    async stop() {
      abort.abort();
      await done.catch(() => {});
      if (!failure) await commit().catch((err) => console.error('final commit failed', err));
      await options.task.close?.(assignment);
      await options.task.stop();
      await closeClients();
    },
    async crash() {
      abort.abort();
      await done.catch(() => {});
      await options.task.stop().catch(() => {});
      await closeClients();
    },
  };
}

/** Reads every record of a topic (all partitions) from the start up to its current end. */
export async function readTopic(
  bootstrap: string,
  topic: string,
): Promise<ReturnType<typeof recordsFromBatches>> {
  const consumer = createConsumer(
    { bootstrapBrokers: [bootstrap] },
    { clientId: 'harness-read', groupId: 'harness-read' },
  );
  try {
    const latest = await consumer.listOffsets({ topics: [topic], timestamp: -1n });
    const earliest = await consumer.listOffsets({ topics: [topic], timestamp: -2n });
    const ends = latest.get(topic) ?? [];
    const out: ReturnType<typeof recordsFromBatches> = [];
    const { readPartitions } = await import('../../src/client/partition-reader.ts');
    const positions = new Map<number, bigint>();
    ends.forEach((end, p) => {
      const start = earliest.get(topic)?.[p] ?? 0n;
      if (end > start) positions.set(p, start);
    });
    let remaining = ends.reduce((n, end, p) => n + Number(end - (earliest.get(topic)?.[p] ?? 0n)), 0);
    if (remaining === 0) return out;
    const abort = new AbortController();
    for await (const r of readPartitions({ consumer, topic, positions, signal: abort.signal })) {
      if (r.offset < (ends[r.partition] ?? 0n)) {
        out.push(r);
        remaining--;
      }
      if (remaining <= 0) break;
    }
    return out;
  } finally {
    await consumer.close();
  }
}
