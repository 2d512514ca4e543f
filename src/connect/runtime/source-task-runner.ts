/**
 * Runs one source task (Kafka's `WorkerSourceTask`): poll → transforms → converters → produce with
 * acks=all, batch by batch in order. Source offsets of records the broker acknowledged are written
 * to the offset store every `offset.flush.interval.ms` (and when the task stops), and only then is
 * `task.commit()` called with them, so a connector confirms upstream only what is safe in Kafka.
 * Records dropped by a transform or skipped under `errors.tolerance=all` still advance the offset.
 * Topics missing on first use are created (`topic.creation.default.partitions` /
 * `.replication.factor`, else the broker's defaults).
 * Not implemented: exactly-once source support (KIP-618) and transaction boundaries.
 */
import type { CommittedSourceOffset, SourceConnectorPlugin, SourceRecord, SourceTask } from '../api/index.ts';
import { ErrorHandler, errorHandlingConfig, isRetriable, sleep, traceOf } from '../errors/error-handler.ts';
import { applyChain, buildChain, type ChainStep } from '../transforms/index.ts';
import { headerBytes, type TaskConverters, taskConverters } from './converters.ts';
import { canonical } from './offset-store.ts';
import type { TaskEnv, TaskRunner } from './task-env.ts';
import { headerMap } from './task-kafka.ts';

export class SourceTaskRunner implements TaskRunner {
  readonly #env: TaskEnv;
  readonly #abort = new AbortController();
  #task: SourceTask | null = null;
  #loop: Promise<void> | null = null;
  #paused = false;
  #resumeWaiter: (() => void) | null = null;
  /** canonical partition → latest acknowledged offset, not yet flushed. */
  #acked = new Map<string, CommittedSourceOffset>();
  #lastFlush = Date.now();
  #chain: ChainStep[] = [];
  #converters!: TaskConverters;
  #errors!: ErrorHandler;
  #knownTopics = new Set<string>();

  constructor(env: TaskEnv) {
    this.#env = env;
  }

  async start(paused: boolean): Promise<void> {
    const env = this.#env;
    this.#paused = paused;
    try {
      this.#errors = new ErrorHandler(
        errorHandlingConfig(env.connectorConfig),
        env.logger,
        [],
        this.#abort.signal,
      );
      this.#chain = buildChain(env.connectorConfig);
      this.#converters = await taskConverters(env.plugins, env.worker, env.connectorConfig);
      this.#task = (env.plugin as SourceConnectorPlugin).createTask();
      await this.#task.start(env.taskConfig, {
        connectorName: env.connector,
        taskId: env.taskId,
        logger: env.logger,
        signal: this.#abort.signal,
        offsetStorageReader: { offset: async (partition) => env.offsets.get(env.connector, partition) },
      });
    } catch (err) {
      this.#fail(err);
      return;
    }
    env.report(paused ? 'PAUSED' : 'RUNNING', null);
    this.#loop = this.#run();
  }

  #fail(err: unknown): void {
    this.#env.logger.error({ err }, 'source task failed');
    this.#env.report('FAILED', traceOf(err));
  }

  pause(): void {
    this.#paused = true;
    this.#env.report('PAUSED', null);
  }

  resume(): void {
    this.#paused = false;
    this.#resumeWaiter?.();
    this.#env.report('RUNNING', null);
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    try {
      while (!signal.aborted) {
        if (this.#paused) {
          await new Promise<void>((resolve) => {
            this.#resumeWaiter = resolve;
            signal.addEventListener('abort', () => resolve(), { once: true });
          });
          this.#resumeWaiter = null;
          continue;
        }
        const polled = await this.#errors.execute(
          { stage: 'TASK_POLL', executingClass: this.#env.plugin.className },
          () => this.#task!.poll(),
        );
        if (signal.aborted) break;
        const records = polled.ok ? (polled.value ?? []) : [];
        if (records.length > 0) await this.#produce(records);
        if (Date.now() - this.#lastFlush >= this.#env.worker.offsetFlushIntervalMs) await this.#flush();
        if (records.length === 0) await sleep(10, signal);
      }
    } catch (err) {
      if (!signal.aborted) this.#fail(err);
    }
  }

  async #ensureTopic(topic: string): Promise<void> {
    if (this.#knownTopics.has(topic)) return;
    const c = this.#env.connectorConfig;
    await this.#env.kafka.ensureTopic(topic, {
      partitions: Number(c['topic.creation.default.partitions'] ?? -1),
      replicationFactor: Number(c['topic.creation.default.replication.factor'] ?? -1),
    });
    this.#knownTopics.add(topic);
    this.#env.topicUsed(topic);
  }

  async #produce(records: readonly SourceRecord[]): Promise<void> {
    const messages: Parameters<TaskEnv['producer']['send']>[0]['messages'] = [];
    for (const original of records) {
      const describe = (): string =>
        `SourceRecord{topic=${original.topic}, partition=${JSON.stringify(original.sourcePartition)}, offset=${JSON.stringify(original.sourceOffset)}}`;
      const transformed = await this.#errors.execute(
        { stage: 'TRANSFORMATION', executingClass: 'transforms', describeRecord: describe },
        () => applyChain(this.#chain, original),
      );
      const record = transformed.ok ? transformed.value : null;
      if (record !== null) {
        const key = await this.#errors.execute(
          { stage: 'KEY_CONVERTER', executingClass: this.#converters.keyClass, describeRecord: describe },
          () =>
            this.#converters.key.fromConnectData(record.topic, record.headers, record.keySchema, record.key),
        );
        const value = key.ok
          ? await this.#errors.execute(
              {
                stage: 'VALUE_CONVERTER',
                executingClass: this.#converters.valueClass,
                describeRecord: describe,
              },
              () =>
                this.#converters.value.fromConnectData(
                  record.topic,
                  record.headers,
                  record.valueSchema,
                  record.value,
                ),
            )
          : ({ ok: false } as const);
        if (key.ok && value.ok) {
          await this.#ensureTopic(record.topic);
          messages.push({
            topic: record.topic,
            key: key.value ?? undefined,
            value: value.value ?? undefined,
            headers: headerMap(record.headers.map((h) => [h.key, headerBytes(h)] as const)),
            ...(record.kafkaPartition === null ? {} : { partition: record.kafkaPartition }),
            ...(record.timestamp === null ? {} : { timestamp: BigInt(record.timestamp) }),
          } as never);
        }
      }
    }
    if (messages.length > 0) {
      let delay = 100;
      for (;;) {
        try {
          await this.#env.producer.send({ messages, acks: -1 });
          break;
        } catch (err) {
          if (!isRetriable(err) || this.#abort.signal.aborted) throw err;
          this.#env.logger.warn({ err }, 'produce failed; retrying');
          await sleep(delay, this.#abort.signal);
          delay = Math.min(delay * 2, 5_000);
        }
      }
    }
    // Acknowledged (or deliberately skipped): their source offsets may now be stored.
    for (const r of records)
      this.#acked.set(canonical(r.sourcePartition), { partition: r.sourcePartition, offset: r.sourceOffset });
  }

  /** Stores acknowledged offsets, then tells the task (Kafka's commitOffsets + commit). */
  async #flush(): Promise<void> {
    this.#lastFlush = Date.now();
    if (this.#acked.size === 0) return;
    const committed = [...this.#acked.values()];
    this.#acked = new Map();
    await this.#env.offsets.set(this.#env.connector, committed);
    await this.#task?.commit?.(committed);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    const timeout = sleep(this.#env.worker.taskShutdownTimeoutMs);
    await Promise.race([this.#loop, timeout]);
    try {
      await this.#flush();
    } catch (err) {
      this.#env.logger.error({ err }, 'flushing source offsets on stop failed');
    }
    try {
      await this.#task?.stop();
    } catch (err) {
      this.#env.logger.warn({ err }, 'source task stop failed');
    }
  }
}
