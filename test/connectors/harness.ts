/**
 * A minimal stand-in for the Connect runtime, for testing connector tasks directly through the
 * connector API: source tasks are polled and their records "acknowledged" (offsets stored in memory,
 * then `commit()` called) on demand; sink tasks get batches of records and preCommit calls. It
 * implements the context interfaces only — no Kafka, no converters (end-to-end tests use the real
 * runtime).
 */
import pino from 'pino';
import type {
  ConnectConfig,
  ErrantRecordReporter,
  SinkRecord,
  SinkTask,
  SinkTaskContext,
  SourceMap,
  SourceRecord,
  SourceTask,
  SourceTaskContext,
  TopicPartition,
} from '../../src/connect/api/index.ts';

const logger = pino({ level: process.env.SAMSA_TEST_LOG_LEVEL ?? 'silent' });

export class SourceHarness {
  readonly task: SourceTask;
  /** Stored offsets by JSON of the source partition (survives restarts when reused). */
  readonly offsets: Map<string, SourceMap>;
  /** Every record polled, in order. */
  readonly records: SourceRecord[] = [];
  private readonly controller = new AbortController();
  /** Acknowledge (store offsets, call commit) right after each poll. */
  autoAck = true;
  private acked = 0;

  constructor(task: SourceTask, offsets = new Map<string, SourceMap>()) {
    this.task = task;
    this.offsets = offsets;
  }

  async start(config: ConnectConfig): Promise<void> {
    const offsets = this.offsets;
    const context: SourceTaskContext = {
      connectorName: 'test',
      taskId: 0,
      logger,
      signal: this.controller.signal,
      offsetStorageReader: {
        async offset(partition) {
          return offsets.get(JSON.stringify(partition)) ?? null;
        },
      },
    };
    await this.task.start(config, context);
  }

  async pollOnce(): Promise<SourceRecord[]> {
    const batch = (await this.task.poll()) ?? [];
    this.records.push(...batch);
    if (this.autoAck) await this.ack();
    return batch;
  }

  /** Marks every record polled so far acknowledged: stores the latest offset per partition, calls commit. */
  async ack(upTo = this.records.length): Promise<void> {
    const latest = new Map<string, { partition: SourceMap; offset: SourceMap }>();
    for (const r of this.records.slice(this.acked, upTo)) {
      latest.set(JSON.stringify(r.sourcePartition), { partition: r.sourcePartition, offset: r.sourceOffset });
    }
    this.acked = Math.max(this.acked, upTo);
    if (latest.size === 0) return;
    for (const [k, v] of latest) this.offsets.set(k, v.offset);
    await this.task.commit?.([...latest.values()]);
  }

  /** Polls until `done(records)` holds or `timeoutMs` passes (then throws with what was seen). */
  async pollUntil(
    done: (records: readonly SourceRecord[]) => boolean,
    timeoutMs = 20_000,
  ): Promise<SourceRecord[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.records)) {
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms with ${this.records.length} records`);
      }
      await this.pollOnce();
    }
    return this.records;
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.task.stop();
  }
}

export class SinkHarness {
  readonly task: SinkTask;
  readonly reported: { record: SinkRecord; error: Error }[] = [];
  private readonly controller = new AbortController();
  private offset = 0n;
  withReporter: boolean;

  constructor(task: SinkTask, withReporter = false) {
    this.task = task;
    this.withReporter = withReporter;
  }

  async start(config: ConnectConfig, assignment: TopicPartition[] = []): Promise<void> {
    const reported = this.reported;
    const reporter: ErrantRecordReporter = {
      async report(record, error) {
        reported.push({ record, error });
      },
    };
    const context: SinkTaskContext = {
      connectorName: 'test',
      taskId: 0,
      logger,
      signal: this.controller.signal,
      assignment: () => assignment,
      offset: () => {},
      timeout: () => {},
      pause: () => {},
      resume: () => {},
      requestCommit: () => {},
      errantRecordReporter: this.withReporter ? reporter : null,
      kafka: {
        async send() {},
        async ensureTopic() {},
      },
    };
    await this.task.start(config, context);
    await this.task.open?.(assignment);
  }

  /** A sink record as the runtime would hand it over (after converters). */
  record(topic: string, key: unknown, value: unknown, extra: Partial<SinkRecord> = {}): SinkRecord {
    const offset = this.offset++;
    return {
      topic,
      kafkaPartition: 0,
      kafkaOffset: offset,
      timestampType: 'CreateTime',
      originalTopic: topic,
      originalKafkaPartition: 0,
      originalKafkaOffset: offset,
      keySchema: null,
      key,
      valueSchema: null,
      value,
      timestamp: Date.now(),
      headers: [],
      raw: { key: null, value: null, headers: [], timestamp: Date.now() },
      ...extra,
    };
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    await this.task.put(records);
  }

  /** What the runtime does before committing offsets: flush. */
  async flush(): Promise<void> {
    const current = new Map();
    if (this.task.preCommit) await this.task.preCommit(current);
    else await this.task.flush?.(current);
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.task.stop();
  }
}
