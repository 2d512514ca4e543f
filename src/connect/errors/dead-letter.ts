/**
 * The dead-letter queue for sink connectors (Kafka's `DeadLetterQueueReporter`): a record that
 * failed under `errors.tolerance=all` is written, as the original bytes (key, value, headers), to
 * `errors.deadletterqueue.topic.name` (created when missing with
 * `errors.deadletterqueue.topic.replication.factor`). With
 * `errors.deadletterqueue.context.headers.enable=true` it carries Kafka's `__connect.errors.*`
 * headers: topic, partition, offset, connector.name, task.id, stage, class.name,
 * exception.class.name, exception.message, exception.stacktrace (UTF-8 strings).
 */
import type { RawRecord, TaskKafka } from '../api/index.ts';
import { exceptionClassName, type FailureContext, traceOf } from './error-handler.ts';

export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: bigint;
  raw: RawRecord;
}

export const ERROR_HEADER_PREFIX = '__connect.errors.';

export class DeadLetterQueue {
  readonly #topic: string;
  readonly #replicationFactor: number;
  readonly #contextHeaders: boolean;
  readonly #kafka: TaskKafka;
  readonly #connector: string;
  readonly #taskId: number;
  #ensured = false;

  constructor(options: {
    topic: string;
    replicationFactor: number;
    contextHeaders: boolean;
    kafka: TaskKafka;
    connector: string;
    taskId: number;
  }) {
    this.#topic = options.topic;
    this.#replicationFactor = options.replicationFactor;
    this.#contextHeaders = options.contextHeaders;
    this.#kafka = options.kafka;
    this.#connector = options.connector;
    this.#taskId = options.taskId;
  }

  async write(source: DeadLetterSource, context: FailureContext, error: Error): Promise<void> {
    if (!this.#ensured) {
      await this.#kafka.ensureTopic(this.#topic, {
        partitions: 1,
        replicationFactor: this.#replicationFactor,
      });
      this.#ensured = true;
    }
    const headers: [string, Buffer][] = source.raw.headers.map(([k, v]) => [k, v]);
    if (this.#contextHeaders) {
      const add = (name: string, value: string): void => {
        headers.push([`${ERROR_HEADER_PREFIX}${name}`, Buffer.from(value, 'utf8')]);
      };
      add('topic', source.topic);
      add('partition', String(source.partition));
      add('offset', String(source.offset));
      add('connector.name', this.#connector);
      add('task.id', String(this.#taskId));
      add('stage', context.stage);
      add('class.name', context.executingClass);
      add('exception.class.name', exceptionClassName(error));
      if (error.message) add('exception.message', error.message);
      add('exception.stacktrace', traceOf(error));
    }
    await this.#kafka.send([
      {
        topic: this.#topic,
        key: source.raw.key,
        value: source.raw.value,
        headers,
        timestamp: source.raw.timestamp,
      },
    ]);
  }
}
