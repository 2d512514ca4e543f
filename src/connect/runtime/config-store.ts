/**
 * Connector configurations, task configurations and target states, in Kafka Connect's own config
 * topic format so a topic can move between Kafka Connect and Samsa:
 *
 * | key                      | value                                                   |
 * |--------------------------|---------------------------------------------------------|
 * | `connector-<name>`       | `{"properties": {...}}`; a tombstone deletes            |
 * | `task-<name>-<n>`        | `{"properties": {...}}` (pending until the commit)      |
 * | `commit-<name>`          | `{"tasks": N}`: tasks 0..N-1 written above take effect  |
 * | `target-state-<name>`    | `{"state": "STARTED"/"PAUSED", "state.v2": ...}`        |
 * | `restart-connector-<name>` | `{"include-tasks": bool, "only-failed": bool}`        |
 *
 * Keys are UTF-8 strings and values schemaless JSON (Kafka's internal JsonConverter), in a
 * one-partition compacted topic. `KafkaConfigStore` keeps it there (distributed mode);
 * `MemoryConfigStore` applies the same records in memory (standalone mode).
 * Not implemented: `session-key` records (the sessioned protocol's request signing).
 */
import type { ConsumedRecord } from '../../client/consumed-record.ts';
import type { ConnectConfig } from '../api/index.ts';
import { KafkaLog, type KafkaLogOptions } from './kafka-log.ts';

export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';

export interface ConnectorConfigState {
  readonly config: ConnectConfig;
  readonly targetState: TargetState;
  /** Committed task configs (the last `commit-<name>`). */
  readonly tasks: readonly ConnectConfig[];
  /** The connector config in force when the tasks were last committed (Kafka's applied config). */
  readonly appliedConfig: ConnectConfig | null;
}

export type ConfigChange =
  | { kind: 'connector'; name: string; isNew: boolean }
  | { kind: 'removed'; name: string }
  | { kind: 'tasks'; name: string }
  | { kind: 'target'; name: string }
  | { kind: 'restart'; name: string; includeTasks: boolean; onlyFailed: boolean };

export interface ConfigStore {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Applies everything written so far (by any worker). */
  refresh(): Promise<void>;
  /** The config topic position the state reflects. */
  offset(): bigint;
  connectors(): ReadonlyMap<string, ConnectorConfigState>;
  putConnectorConfig(name: string, config: ConnectConfig, targetState?: TargetState): Promise<void>;
  removeConnector(name: string): Promise<void>;
  putTaskConfigs(name: string, tasks: readonly ConnectConfig[]): Promise<void>;
  putTargetState(name: string, state: TargetState): Promise<void>;
  requestRestart(name: string, includeTasks: boolean, onlyFailed: boolean): Promise<void>;
  onChange(listener: (change: ConfigChange) => void): void;
}

type Written = [key: string, value: unknown][];

function targetStateValue(state: TargetState): unknown {
  return { state: state === 'STOPPED' ? 'PAUSED' : state, 'state.v2': state };
}

/** The records that express each operation, in write order. */
const records = {
  connector(name: string, config: ConnectConfig, targetState?: TargetState): Written {
    const out: Written = [];
    if (targetState) out.push([`target-state-${name}`, targetStateValue(targetState)]);
    out.push([`connector-${name}`, { properties: config }]);
    return out;
  },
  removal: (name: string): Written => [
    [`connector-${name}`, null],
    [`target-state-${name}`, null],
  ],
  tasks(name: string, tasks: readonly ConnectConfig[]): Written {
    return [
      ...tasks.map((properties, i): [string, unknown] => [`task-${name}-${i}`, { properties }]),
      [`commit-${name}`, { tasks: tasks.length }],
    ];
  },
  target: (name: string, state: TargetState): Written => [[`target-state-${name}`, targetStateValue(state)]],
  restart: (name: string, includeTasks: boolean, onlyFailed: boolean): Written => [
    [`restart-connector-${name}`, { 'include-tasks': includeTasks, 'only-failed': onlyFailed }],
  ],
};

interface MutableConnector {
  config: ConnectConfig | null;
  targetState: TargetState;
  tasks: ConnectConfig[];
  appliedConfig: ConnectConfig | null;
}

/** The state machine both stores share: one record in, the state and the changes it caused. */
class ConfigState {
  readonly connectors = new Map<string, MutableConnector>();
  readonly #pendingTasks = new Map<string, Map<number, ConnectConfig>>();
  readonly listeners: ((change: ConfigChange) => void)[] = [];

  #entry(name: string): MutableConnector {
    let entry = this.connectors.get(name);
    if (!entry) {
      entry = { config: null, targetState: 'STARTED', tasks: [], appliedConfig: null };
      this.connectors.set(name, entry);
    }
    return entry;
  }

  #emit(change: ConfigChange): void {
    for (const l of this.listeners) l(change);
  }

  apply(key: string, value: unknown): void {
    const v = value as Record<string, unknown> | null;
    let m: RegExpExecArray | null;
    if ((m = /^connector-(.+)$/s.exec(key))) {
      const name = m[1]!;
      if (v === null) {
        if (this.connectors.delete(name)) this.#emit({ kind: 'removed', name });
        this.#pendingTasks.delete(name);
        return;
      }
      const entry = this.#entry(name);
      const isNew = entry.config === null;
      entry.config = (v.properties ?? {}) as ConnectConfig;
      this.#emit({ kind: 'connector', name, isNew });
    } else if ((m = /^task-(.+)-(\d+)$/s.exec(key))) {
      if (v === null) return;
      const pending = this.#pendingTasks.get(m[1]!) ?? new Map<number, ConnectConfig>();
      pending.set(Number(m[2]), (v.properties ?? {}) as ConnectConfig);
      this.#pendingTasks.set(m[1]!, pending);
    } else if ((m = /^commit-(.+)$/s.exec(key))) {
      if (v === null) return;
      const name = m[1]!;
      const count = Number(v.tasks ?? 0);
      const pending = this.#pendingTasks.get(name) ?? new Map<number, ConnectConfig>();
      const previous = this.connectors.get(name)?.tasks ?? [];
      const tasks: ConnectConfig[] = [];
      for (let i = 0; i < count; i++) {
        const config = pending.get(i) ?? previous[i];
        if (config === undefined) return; // inconsistent: wait for a complete set
        tasks.push(config);
      }
      this.#pendingTasks.delete(name);
      const entry = this.#entry(name);
      entry.tasks = tasks;
      entry.appliedConfig = entry.config;
      this.#emit({ kind: 'tasks', name });
    } else if ((m = /^target-state-(.+)$/s.exec(key))) {
      const name = m[1]!;
      if (v === null) return;
      const state = (v['state.v2'] ?? v.state) as TargetState;
      if (state !== 'STARTED' && state !== 'PAUSED' && state !== 'STOPPED') return;
      this.#entry(name).targetState = state;
      this.#emit({ kind: 'target', name });
    } else if ((m = /^restart-connector-(.+)$/s.exec(key))) {
      if (v === null) return;
      this.#emit({
        kind: 'restart',
        name: m[1]!,
        includeTasks: v['include-tasks'] === true,
        onlyFailed: v['only-failed'] === true,
      });
    }
  }

  view(): Map<string, ConnectorConfigState> {
    const out = new Map<string, ConnectorConfigState>();
    for (const [name, e] of this.connectors) {
      if (e.config !== null) {
        out.set(name, {
          config: e.config,
          targetState: e.targetState,
          tasks: e.tasks,
          appliedConfig: e.appliedConfig,
        });
      }
    }
    return out;
  }
}

export class KafkaConfigStore implements ConfigStore {
  readonly #state = new ConfigState();
  readonly #log: KafkaLog;
  #offset = 0n;
  #view: Map<string, ConnectorConfigState> | null = null;

  constructor(options: Omit<KafkaLogOptions, 'apply' | 'partitions'>) {
    this.#log = new KafkaLog({
      ...options,
      partitions: 1,
      apply: (record: ConsumedRecord) => {
        if (record.key === null) return;
        this.#offset = record.offset + 1n;
        this.#view = null;
        const value = record.value === null ? null : JSON.parse(record.value.toString('utf8'));
        this.#state.apply(record.key.toString('utf8'), value);
      },
    });
  }

  start = (): Promise<void> => this.#log.start();
  stop = (): Promise<void> => this.#log.stop();
  refresh = (): Promise<void> => this.#log.readToEnd();
  offset = (): bigint => this.#offset;

  connectors(): ReadonlyMap<string, ConnectorConfigState> {
    this.#view ??= this.#state.view();
    return this.#view;
  }

  async #write(written: Written): Promise<void> {
    for (const [key, value] of written) {
      await this.#log.send(Buffer.from(key), value === null ? null : Buffer.from(JSON.stringify(value)), 0);
    }
    await this.#log.readToEnd();
  }

  putConnectorConfig = (name: string, config: ConnectConfig, targetState?: TargetState) =>
    this.#write(records.connector(name, config, targetState));
  removeConnector = (name: string) => this.#write(records.removal(name));
  putTaskConfigs = (name: string, tasks: readonly ConnectConfig[]) => this.#write(records.tasks(name, tasks));
  putTargetState = (name: string, state: TargetState) => this.#write(records.target(name, state));
  requestRestart = (name: string, includeTasks: boolean, onlyFailed: boolean) =>
    this.#write(records.restart(name, includeTasks, onlyFailed));
  onChange(listener: (change: ConfigChange) => void): void {
    this.#state.listeners.push(listener);
  }
}

export class MemoryConfigStore implements ConfigStore {
  readonly #state = new ConfigState();
  #offset = 0n;

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async refresh(): Promise<void> {}
  offset = (): bigint => this.#offset;
  connectors = (): ReadonlyMap<string, ConnectorConfigState> => this.#state.view();

  async #write(written: Written): Promise<void> {
    for (const [key, value] of written) {
      this.#offset++;
      // A JSON round trip, as through the topic: the state never shares objects with callers.
      this.#state.apply(key, value === null ? null : JSON.parse(JSON.stringify(value)));
    }
  }

  putConnectorConfig = (name: string, config: ConnectConfig, targetState?: TargetState) =>
    this.#write(records.connector(name, config, targetState));
  removeConnector = (name: string) => this.#write(records.removal(name));
  putTaskConfigs = (name: string, tasks: readonly ConnectConfig[]) => this.#write(records.tasks(name, tasks));
  putTargetState = (name: string, state: TargetState) => this.#write(records.target(name, state));
  requestRestart = (name: string, includeTasks: boolean, onlyFailed: boolean) =>
    this.#write(records.restart(name, includeTasks, onlyFailed));
  onChange(listener: (change: ConfigChange) => void): void {
    this.#state.listeners.push(listener);
  }
}
