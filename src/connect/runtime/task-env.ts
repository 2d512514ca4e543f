/**
 * What a task runner gets from the worker: its configs, the shared Kafka clients, the offset store,
 * and callbacks to report its status and the topics it uses.
 */
import type { Admin, Producer } from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { ConnectConfig, ConnectorPlugin, TaskKafka } from '../api/index.ts';
import type { TaskCounters } from './metrics.ts';
import type { OffsetStore } from './offset-store.ts';
import type { Plugins } from './plugins.ts';
import type { State } from './status-store.ts';
import type { WorkerSettings } from './worker-config.ts';

export interface TaskEnv {
  readonly connector: string;
  readonly taskId: number;
  readonly plugin: ConnectorPlugin;
  readonly taskConfig: ConnectConfig;
  readonly connectorConfig: ConnectConfig;
  readonly worker: WorkerSettings;
  readonly plugins: Plugins;
  readonly producer: Producer;
  readonly admin: Admin;
  readonly kafka: TaskKafka;
  readonly offsets: OffsetStore;
  readonly logger: Logger;
  /** Record totals for the worker's /metrics. */
  readonly counters: TaskCounters;
  report(state: State, trace: string | null): void;
  topicUsed(topic: string): void;
}

export interface TaskRunner {
  /** Starts the task; resolves once it runs (or failed). */
  start(paused: boolean): Promise<void>;
  pause(): void;
  resume(): void;
  /** Stops the task, committing what is safe to commit. */
  stop(): Promise<void>;
}
