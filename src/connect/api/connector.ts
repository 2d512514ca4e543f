/**
 * The connector API, modelled on Kafka Connect's: a connector plugin declares its configuration and
 * makes a `Connector` (which splits the work into task configs) and tasks that do the work.
 *
 * - Source tasks `poll()` records, each with a source partition and offset. The runtime produces
 *   them (acks=all), stores the offsets of acknowledged records in the offset store and then calls
 *   `commit()` with what was stored, so a task can confirm its upstream position (a replication
 *   slot's LSN) only for data that is safely in Kafka.
 * - Sink tasks get batches through `put()`. The runtime commits consumer offsets only for what
 *   `preCommit()` (default: `flush()`, then everything put) says is durable downstream.
 *
 * Errors: throw `RetriableError` from `put`/`poll` to have the runtime retry (the same batch for
 * sinks) after a backoff; any other error fails the task, with its stack in the status API.
 * Per-record conversion/transform errors follow `errors.tolerance` in the runtime; a sink that finds
 * a record it cannot write reports it through `errantRecordReporter` (the dead-letter topic).
 */
import type { Logger } from 'pino';
import type { ConfigDef } from './config-def.ts';
import type { SinkOffsets, SinkRecord, SourceMap, SourceRecord, TopicPartition } from './records.ts';

/** A task or connector config: Connect configs are string maps. */
export type ConnectConfig = Readonly<Record<string, string>>;

/** An error the runtime retries (Kafka's `RetriableException`). */
export class RetriableError extends Error {
  override readonly name = 'RetriableError';
}

/** A connector or task error with a message meant for the status API (Kafka's `ConnectException`). */
export class ConnectError extends Error {
  override readonly name: string = 'ConnectError';
}

/**
 * The error inside a Kafka client's (nested) errors, such as `TaskKafka.send`'s, that retrying
 * cannot fix: a broker's answer Kafka marks not retriable (MESSAGE_TOO_LARGE,
 * TOPIC_AUTHORIZATION_FAILED, INVALID_RECORD, ...) or an authentication failure; null when there is
 * none (a lost connection, a timeout, a leader moving: worth retrying).
 */
export function refusedForGood(err: unknown): { code: string; message: string } | null {
  const seen = new Set<unknown>();
  const walk = (e: unknown): { code: string; message: string } | null => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return null;
    seen.add(e);
    const x = e as {
      code?: string;
      apiId?: string;
      canRetry?: boolean;
      message?: string;
      errors?: unknown[];
      cause?: unknown;
    };
    if (x.canRetry === false && (x.code === 'PLT_KFK_PROTOCOL' || x.code === 'PLT_KFK_AUTHENTICATION'))
      return { code: x.apiId ?? x.code, message: String(x.message ?? '') };
    for (const inner of Array.isArray(x.errors) ? x.errors : []) {
      const found = walk(inner);
      if (found) return found;
    }
    return walk(x.cause);
  };
  return walk(err);
}

export interface ConnectorContext {
  readonly connectorName: string;
  readonly logger: Logger;
  /** Ask the runtime to call `taskConfigs` again (the set of tables or partitions changed). */
  requestTaskReconfiguration(): void;
  /** Fail the connector (shown as FAILED with this error's trace in the status API). */
  raiseError(error: Error): void;
}

export interface Connector {
  start(config: ConnectConfig, context: ConnectorContext): Promise<void> | void;
  /** Up to `maxTasks` task configs; one task is started per entry. */
  taskConfigs(maxTasks: number): Promise<ConnectConfig[]> | ConnectConfig[];
  stop(): Promise<void> | void;
  /**
   * Checks beyond the ConfigDef (for example reaching the database), run by `config/validate` and
   * before a connector is created: key → error messages. Optional.
   */
  validate?(config: ConnectConfig): Promise<Map<string, string[]>> | Map<string, string[]>;
}

interface TaskContextBase {
  readonly connectorName: string;
  readonly taskId: number;
  readonly logger: Logger;
  /** Aborted when the task is being stopped; long waits inside `poll`/`put` should honour it. */
  readonly signal: AbortSignal;
}

export interface OffsetStorageReader {
  /** The last committed offset for a source partition, or null. */
  offset(partition: SourceMap): Promise<SourceMap | null>;
}

export interface SourceTaskContext extends TaskContextBase {
  readonly offsetStorageReader: OffsetStorageReader;
}

/** One committed source position: the latest offset stored for a source partition. */
export interface CommittedSourceOffset {
  readonly partition: SourceMap;
  readonly offset: SourceMap;
}

export interface SourceTask {
  start(config: ConnectConfig, context: SourceTaskContext): Promise<void>;
  /**
   * The next records. May wait (up to about a second) for data, and must return soon after
   * `context.signal` aborts. An empty array or null means nothing yet.
   */
  poll(): Promise<SourceRecord[] | null>;
  /**
   * Called after offsets were stored for records the broker acknowledged: the latest stored offset
   * of each source partition this task wrote. Everything at or before them is durable in Kafka.
   */
  commit?(committed: readonly CommittedSourceOffset[]): Promise<void>;
  stop(): Promise<void>;
}

/** Raw bytes to write to a topic from inside a task (retry and dead-letter topics). */
export interface OutgoingRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly (readonly [string, Buffer])[];
  readonly timestamp?: number;
}

/** Direct Kafka access for tasks that write to topics of their own (acks=all, awaited). */
export interface TaskKafka {
  send(records: readonly OutgoingRecord[]): Promise<void>;
  /** Creates the topic if it does not exist (no error when it does). */
  ensureTopic(
    name: string,
    options?: { partitions?: number; replicationFactor?: number; configs?: Record<string, string> },
  ): Promise<void>;
}

export interface ErrantRecordReporter {
  /** Writes the record (original bytes, Kafka's `__connect.errors.*` headers) to the dead-letter topic. */
  report(record: SinkRecord, error: Error): Promise<void>;
}

export interface SinkTaskContext extends TaskContextBase {
  /** Partitions currently assigned to this task. */
  assignment(): readonly TopicPartition[];
  /** Consume these partitions from these offsets next (rewind or skip). */
  offset(offsets: Iterable<{ topic: string; partition: number; offset: bigint }>): void;
  /** Ask for `put` to be called again (with an empty batch if nothing new) after `ms` (Kafka's `timeout`). */
  timeout(ms: number): void;
  pause(...partitions: TopicPartition[]): void;
  resume(...partitions: TopicPartition[]): void;
  /** Ask for an offset commit soon. */
  requestCommit(): void;
  /** The dead-letter reporter when `errors.tolerance=all` and a DLQ topic is configured; else null. */
  readonly errantRecordReporter: ErrantRecordReporter | null;
  readonly kafka: TaskKafka;
}

export interface SinkTask {
  start(config: ConnectConfig, context: SinkTaskContext): Promise<void>;
  /** Partitions newly assigned (before their records arrive). */
  open?(partitions: readonly TopicPartition[]): Promise<void>;
  /** Records to write; may buffer them. An empty batch is a chance to flush on time. */
  put(records: readonly SinkRecord[]): Promise<void>;
  /** Make everything put so far durable downstream. */
  flush?(current: SinkOffsets): Promise<void>;
  /** The offsets safe to commit (default: `flush(current)`, then `current`). */
  preCommit?(current: SinkOffsets): Promise<SinkOffsets>;
  /** Partitions taken away (after a last preCommit for them). */
  close?(partitions: readonly TopicPartition[]): Promise<void>;
  stop(): Promise<void>;
}

interface PluginBase {
  /** The class name users put in `connector.class` (e.g. `samsa.connect.http.HttpSinkConnector`). */
  readonly className: string;
  /** Other names accepted in `connector.class` (well-known connectors' class names). */
  readonly aliases?: readonly string[];
  readonly version: string;
  /** The connector's own keys (the runtime adds the common ones: name, tasks.max, converters, ...). */
  readonly config: ConfigDef;
  createConnector(): Connector;
}

export interface SourceConnectorPlugin extends PluginBase {
  readonly type: 'source';
  createTask(): SourceTask;
}

export interface SinkConnectorPlugin extends PluginBase {
  readonly type: 'sink';
  createTask(): SinkTask;
  /** Topics the tasks consume besides `topics`/`topics.regex` (for example retry topics). */
  additionalTopics?(config: ConnectConfig): readonly string[];
}

export type ConnectorPlugin = SourceConnectorPlugin | SinkConnectorPlugin;

/**
 * What the runtime knows of a plugin before it runs one of its connectors: its names, type, version
 * and own config keys (enough for `GET /connector-plugins` and the status API).
 */
export type ConnectorPluginInfo = Pick<
  ConnectorPlugin,
  'type' | 'className' | 'aliases' | 'version' | 'config'
>;

/**
 * A plugin imported only when the runtime first needs its code (a connector of its class starts,
 * or a config for it is validated), so a worker that never runs it never loads its libraries (pg,
 * ioredis, undici, hyparquet: about 11 MB of an idle worker's RSS; docs/benchmarks.md). `load`
 * resolves to the plugin with the same info.
 */
export interface LazyConnectorPlugin extends ConnectorPluginInfo {
  load(): Promise<ConnectorPlugin>;
}

/** An entry of the plugin registry: a plugin, or one loaded on first use. */
export type ConnectorPluginEntry = ConnectorPlugin | LazyConnectorPlugin;
