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

/** Which Kafka client of a task a setting is for: the sink's consumer or the source's producer. */
export type ClientKind = 'consumer' | 'producer';

/**
 * A client setting of a task, as Kafka Connect resolves it: the connector's
 * `<kind>.override.<key>`, else the worker's `<kind>.<key>`.
 */
export function clientSetting(env: TaskEnv, kind: ClientKind, key: string): string | undefined {
  return env.connectorConfig[`${kind}.override.${key}`] ?? env.worker.properties[`${kind}.${key}`];
}

/** Where a client setting was set, for error messages: the connector's override or the worker's. */
function settingSource(env: TaskEnv, kind: ClientKind, key: string): string {
  return env.connectorConfig[`${kind}.override.${key}`] !== undefined
    ? `${kind}.override.${key}`
    : `${kind}.${key} (worker)`;
}

/**
 * A client setting that must be one of `choices` (compared without case, as Kafka's
 * case-insensitive string settings), or `fallback` when unset; any other value fails with an error
 * naming the key where it was set and the choices.
 */
export function choiceClientSetting<T extends string>(
  env: TaskEnv,
  kind: ClientKind,
  key: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = clientSetting(env, kind, key);
  if (raw === undefined) return fallback;
  const value = raw.trim().toLowerCase();
  const choice = choices.find((c) => c === value);
  if (choice === undefined)
    throw new Error(
      `${settingSource(env, kind, key)} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`,
    );
  return choice;
}

/**
 * A client setting that must be an integer of at least `min`, or `fallback` when unset; a bad value
 * fails with an error naming the key where it was set.
 */
export function integerClientSetting(
  env: TaskEnv,
  kind: ClientKind,
  key: string,
  fallback: number,
  min: number,
): number {
  const raw = clientSetting(env, kind, key);
  if (raw === undefined) return fallback;
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min) {
    const where = settingSource(env, kind, key);
    const what = min === 1 ? 'a positive integer' : `an integer >= ${min}`;
    throw new Error(`${where} must be ${what}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
