/**
 * The worker's brain (Kafka's `DistributedHerder` / `StandaloneHerder`): keeps the cluster's
 * connector configs (config store), runs what the group assigned to this worker, writes their
 * statuses, and carries out the REST API's requests. Writes to the config topic are made by the
 * group's leader; requests reaching another worker are forwarded to it by the REST layer
 * (`leaderUrl`). Task configs computed by a connector running elsewhere than the leader are
 * forwarded to the leader the same way (Kafka's internal `POST /connectors/{name}/tasks`).
 *
 * All state changes run one at a time on an internal queue, so rebalances, config updates and
 * requests never interleave.
 */
import type { Admin, Producer } from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { ConnectConfig, ConnectorPlugin, ConnectorPluginInfo, SourceMap } from '../api/index.ts';
import { traceOf } from '../errors/error-handler.ts';
import type { ConfigChange, ConfigStore, TargetState } from './config-store.ts';
import { assignRoundRobin, CONNECTOR_TASK, type ConnectAssignment } from './connect-protocol.ts';
import { ConnectorRunner } from './connector-runner.ts';
import type { AssignedWork, Membership, MembershipHooks } from './membership.ts';
import type { ConnectMetrics } from './metrics.ts';
import type { OffsetEntry, OffsetStore } from './offset-store.ts';
import type { Plugins } from './plugins.ts';
import { SinkTaskRunner } from './sink-task-runner.ts';
import { SourceTaskRunner } from './source-task-runner.ts';
import type { State, Status, StatusStore } from './status-store.ts';
import type { TaskEnv, TaskRunner } from './task-env.ts';
import { taskKafka } from './task-kafka.ts';
import type { WorkerSettings } from './worker-config.ts';

/** A REST-facing failure with Kafka Connect's status code. */
export class ConnectRestError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface HerderOptions {
  settings: WorkerSettings;
  plugins: Plugins;
  configs: ConfigStore;
  offsets: OffsetStore;
  statuses: StatusStore;
  producer: Producer;
  admin: Admin;
  logger: Logger;
  /** Record totals per task, for /metrics (metrics.ts). */
  metrics: ConnectMetrics;
  /** This worker's REST URL and id (host:port); set with `setIdentity` once the server listens. */
  url?: string;
  workerId?: string;
  /** Forwards task configs to the leader (distributed mode). */
  forwardTaskConfigs(leaderUrl: string, connector: string, configs: ConnectConfig[]): Promise<void>;
}

interface RunningTask {
  runner: TaskRunner;
  config: ConnectConfig;
}

function sameConfigs(a: readonly ConnectConfig[], b: readonly ConnectConfig[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class Herder implements MembershipHooks {
  readonly #o: HerderOptions;
  membership: Membership | null = null;
  #work: AssignedWork | null = null;
  readonly #connectors = new Map<string, ConnectorRunner>();
  readonly #tasks = new Map<string, RunningTask>();
  /** Leader only: member id → URL, and which member runs each connector/task. */
  #owners = new Map<string, string>();
  #queue: Promise<unknown> = Promise.resolve();
  #stopping = false;

  #url = '';
  #workerId = '';

  constructor(options: HerderOptions) {
    this.#o = options;
    this.#url = options.url ?? '';
    this.#workerId = options.workerId ?? '';
    options.configs.onChange((change) => this.#onConfigChange(change));
  }

  setIdentity(url: string, workerId: string): void {
    this.#url = url;
    this.#workerId = workerId;
  }

  get logger(): Logger {
    return this.#o.logger;
  }

  /** Runs `fn` after everything queued before it. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  isLeader(): boolean {
    return this.#work?.isLeader ?? false;
  }

  /** The leader's URL, or null while no rebalance has completed. */
  leaderUrl(): string | null {
    return this.#work?.assignment.leaderUrl ?? null;
  }

  /** The URL of the worker running a task (leader only knows), or null. */
  ownerUrl(connector: string, task: number): string | null {
    return this.#owners.get(`${connector}/${task}`) ?? null;
  }

  // ---- group membership hooks ----

  configOffset(): bigint {
    return this.#o.configs.offset();
  }

  async assign(
    members: readonly { memberId: string; url: string; configOffset: bigint }[],
    _generation: number,
    leaderId: string,
  ): Promise<Map<string, ConnectAssignment>> {
    await this.#o.configs.refresh();
    const counts = new Map<string, number>();
    for (const [name, c] of this.#o.configs.connectors())
      counts.set(name, c.targetState === 'STOPPED' ? 0 : c.tasks.length);
    const plan = assignRoundRobin(
      members.map((m) => m.memberId),
      counts,
    );
    const urls = new Map(members.map((m) => [m.memberId, m.url]));
    const leaderUrl = urls.get(leaderId) ?? this.#url;
    this.#owners = new Map();
    const out = new Map<string, ConnectAssignment>();
    for (const [memberId, assignment] of plan) {
      for (const [connector, tasks] of assignment) {
        for (const t of tasks) this.#owners.set(`${connector}/${t}`, urls.get(memberId) ?? '');
      }
      out.set(memberId, {
        error: 0,
        leader: leaderId,
        leaderUrl,
        configOffset: this.#o.configs.offset(),
        assignment,
      });
    }
    return out;
  }

  onRevoke(): Promise<void> {
    return this.#serial(async () => {
      await this.#stopAll('UNASSIGNED');
      this.#work = null;
    });
  }

  onAssigned(work: AssignedWork): Promise<void> {
    return this.#serial(async () => {
      if (work.assignment.configOffset > this.#o.configs.offset()) await this.#o.configs.refresh();
      this.#work = work;
      this.#o.logger.info(
        {
          generation: work.generation,
          leader: work.isLeader,
          assignment: Object.fromEntries(work.assignment.assignment),
        },
        'joined the worker group',
      );
      for (const [connector, ids] of work.assignment.assignment) {
        for (const id of ids) {
          if (id === CONNECTOR_TASK) await this.#startConnector(connector);
          else await this.#startTask(connector, id);
        }
      }
    });
  }

  async #stopAll(state: State): Promise<void> {
    const tasks = [...this.#tasks];
    this.#tasks.clear();
    await Promise.all(tasks.map(([key, t]) => this.#stopTask(key, t, state)));
    const connectors = [...this.#connectors];
    this.#connectors.clear();
    await Promise.all(
      connectors.map(async ([name, c]) => {
        await c.stop();
        if (!this.#stopping || state === 'UNASSIGNED') this.#putConnectorStatus(name, state, null);
      }),
    );
  }

  async #stopTask(key: string, task: RunningTask, state: State): Promise<void> {
    await task.runner.stop();
    const [connector, id] = splitTaskKey(key);
    this.#putTaskStatus(connector, id, state, null);
  }

  #status(state: State, trace: string | null): Status {
    return { state, trace, workerId: this.#workerId, generation: this.#work?.generation ?? 0 };
  }

  #putConnectorStatus(name: string, state: State, trace: string | null): void {
    this.#o.statuses.putConnector(name, this.#status(state, trace)).catch((err) => {
      this.#o.logger.warn({ err }, 'writing connector status failed');
    });
  }

  #putTaskStatus(name: string, id: number, state: State, trace: string | null): void {
    this.#o.statuses.putTask(name, id, this.#status(state, trace)).catch((err) => {
      this.#o.logger.warn({ err }, 'writing task status failed');
    });
  }

  async #startConnector(name: string): Promise<void> {
    const state = this.#o.configs.connectors().get(name);
    if (!state || this.#connectors.has(name)) return;
    const logger = this.#o.logger.child({ connector: name });
    const loaded = await this.#loadPlugin(state.config);
    if (typeof loaded === 'string') {
      this.#putConnectorStatus(name, 'FAILED', loaded);
      return;
    }
    const plugin = loaded;
    const runner = new ConnectorRunner({
      name,
      plugin,
      config: state.config,
      logger,
      report: (s, trace) => this.#putConnectorStatus(name, s, trace),
      onTaskConfigs: (configs) => this.#taskConfigsFromConnector(name, configs),
    });
    this.#connectors.set(name, runner);
    await runner.start(state.targetState);
  }

  async #taskConfigsFromConnector(name: string, configs: ConnectConfig[]): Promise<void> {
    const current = this.#o.configs.connectors().get(name);
    if (!current || current.targetState === 'STOPPED') return;
    const configChanged = JSON.stringify(current.appliedConfig) !== JSON.stringify(current.config);
    if (sameConfigs(current.tasks, configs) && !configChanged) return;
    if (this.isLeader()) {
      await this.#o.configs.putTaskConfigs(name, configs);
      return;
    }
    const leader = this.leaderUrl();
    if (leader) await this.#o.forwardTaskConfigs(leader, name, configs);
  }

  /** The connector's plugin, its code loaded (lazy plugins: src/connectors/index.ts), else the FAILED trace. */
  async #loadPlugin(config: ConnectConfig): Promise<ConnectorPlugin | string> {
    const className = config['connector.class'] ?? '';
    try {
      const plugin = await this.#o.plugins.loadConnector(className);
      if (plugin) return plugin;
    } catch (err) {
      return traceOf(err);
    }
    return `ConnectException: ${this.#o.plugins.unknownConnectorMessage(className)}`;
  }

  async #startTask(name: string, id: number): Promise<void> {
    const key = `${name}-${id}`;
    const state = this.#o.configs.connectors().get(name);
    const taskConfig = state?.tasks[id];
    if (!state || !taskConfig || this.#tasks.has(key)) return;
    const logger = this.#o.logger.child({ connector: name, task: id });
    const loaded = await this.#loadPlugin(state.config);
    if (typeof loaded === 'string') {
      this.#putTaskStatus(name, id, 'FAILED', loaded);
      return;
    }
    const plugin = loaded;
    const env: TaskEnv = {
      connector: name,
      taskId: id,
      plugin,
      taskConfig,
      connectorConfig: state.config,
      worker: this.#o.settings,
      plugins: this.#o.plugins,
      producer: this.#o.producer,
      admin: this.#o.admin,
      kafka: taskKafka(this.#o.producer, this.#o.admin),
      offsets: this.#o.offsets,
      logger,
      counters: this.#o.metrics.task(name, id),
      report: (s, trace) => this.#putTaskStatus(name, id, s, trace),
      topicUsed: (topic) => {
        this.#o.statuses.putTopic(name, topic, id).catch(() => {});
      },
    };
    const runner: TaskRunner = plugin.type === 'source' ? new SourceTaskRunner(env) : new SinkTaskRunner(env);
    this.#tasks.set(key, { runner, config: taskConfig });
    await runner.start(state.targetState === 'PAUSED');
  }

  #assignedHere(name: string, id: number): boolean {
    return this.#work?.assignment.assignment.get(name)?.includes(id) ?? false;
  }

  #onConfigChange(change: ConfigChange): void {
    if (this.#stopping) return;
    switch (change.kind) {
      case 'connector': {
        if (change.isNew || !this.#work) {
          this.membership?.requestRejoin();
          return;
        }
        if (this.#connectors.has(change.name)) {
          // Updated config: restart the connector here; it recomputes its tasks.
          void this.#serial(async () => {
            const r = this.#connectors.get(change.name);
            if (!r) return;
            this.#connectors.delete(change.name);
            await r.stop();
            await this.#startConnector(change.name);
          });
        }
        return;
      }
      case 'removed':
      case 'tasks':
        this.membership?.requestRejoin();
        return;
      case 'target':
        void this.#serial(() => this.#applyTargetState(change.name));
        return;
      case 'restart':
        void this.#serial(() => this.#restartLocal(change.name, change.includeTasks, change.onlyFailed));
        return;
    }
  }

  async #applyTargetState(name: string): Promise<void> {
    const state = this.#o.configs.connectors().get(name);
    if (!state) return;
    const target = state.targetState;
    const connector = this.#connectors.get(name);
    if (target === 'STOPPED') {
      if (connector) {
        this.#connectors.delete(name);
        await connector.stop();
        this.#putConnectorStatus(name, 'STOPPED', null);
      }
      for (const [key, t] of [...this.#tasks]) {
        if (splitTaskKey(key)[0] !== name) continue;
        this.#tasks.delete(key);
        await t.runner.stop();
      }
      return;
    }
    if (connector && !connector.running && !connector.failed) {
      // Resuming a stopped connector: start it for real; it writes its task configs again.
      this.#connectors.delete(name);
      await this.#startConnector(name);
    } else if (!connector && this.#assignedHere(name, CONNECTOR_TASK)) {
      await this.#startConnector(name);
    } else connector?.setState(target);
    for (const [key, t] of this.#tasks) {
      if (splitTaskKey(key)[0] !== name) continue;
      if (target === 'PAUSED') t.runner.pause();
      else t.runner.resume();
    }
  }

  async #restartLocal(name: string, includeTasks: boolean, onlyFailed: boolean): Promise<void> {
    const connectorFailed = this.#o.statuses.connector(name)?.state === 'FAILED';
    const connector = this.#connectors.get(name);
    if (connector && (!onlyFailed || connectorFailed)) {
      this.#putConnectorStatus(name, 'RESTARTING', null);
      this.#connectors.delete(name);
      await connector.stop();
      await this.#startConnector(name);
    } else if (!connector && this.#assignedHere(name, CONNECTOR_TASK) && (!onlyFailed || connectorFailed)) {
      await this.#startConnector(name);
    }
    if (!includeTasks) return;
    const statuses = this.#o.statuses.tasks(name);
    for (const id of this.#work?.assignment.assignment.get(name) ?? []) {
      if (id === CONNECTOR_TASK) continue;
      if (onlyFailed && statuses.get(id)?.state !== 'FAILED') continue;
      await this.#restartTaskLocal(name, id);
    }
  }

  async #restartTaskLocal(name: string, id: number): Promise<void> {
    const key = `${name}-${id}`;
    const running = this.#tasks.get(key);
    this.#putTaskStatus(name, id, 'RESTARTING', null);
    if (running) {
      this.#tasks.delete(key);
      await running.runner.stop();
    }
    await this.#startTask(name, id);
  }

  // ---- REST operations (the REST layer forwards to the leader where needed) ----

  connectorNames(): string[] {
    return [...this.#o.configs.connectors().keys()].sort();
  }

  #require(name: string) {
    const c = this.#o.configs.connectors().get(name);
    if (!c) throw new ConnectRestError(404, `Connector ${name} not found`);
    return c;
  }

  typeOf(config: ConnectConfig): 'source' | 'sink' | 'unknown' {
    return this.#o.plugins.connector(config['connector.class'] ?? '')?.type ?? 'unknown';
  }

  connectorInfo(name: string) {
    const c = this.#require(name);
    return {
      name,
      config: { ...c.config },
      tasks: c.tasks.map((_, task) => ({ connector: name, task })),
      type: this.typeOf(c.config),
    };
  }

  connectorStatus(name: string) {
    const c = this.#require(name);
    const status = this.#o.statuses.connector(name);
    const taskStatuses = this.#o.statuses.tasks(name);
    const entry = (s: Status | undefined) => ({
      state: s?.state ?? 'UNASSIGNED',
      worker_id: s?.workerId ?? this.#workerId,
      ...(s?.trace ? { trace: s.trace } : {}),
    });
    const connectorEntry = entry(status);
    if (c.targetState === 'STOPPED' && connectorEntry.state !== 'FAILED') connectorEntry.state = 'STOPPED';
    return {
      name,
      connector: connectorEntry,
      tasks:
        c.targetState === 'STOPPED' ? [] : c.tasks.map((_, id) => ({ id, ...entry(taskStatuses.get(id)) })),
      type: this.typeOf(c.config),
    };
  }

  taskStatus(name: string, id: number) {
    const c = this.#require(name);
    if (id < 0 || id >= c.tasks.length) throw new ConnectRestError(404, `Unknown task ${name}-${id}`);
    const s = this.#o.statuses.tasks(name).get(id);
    return {
      id,
      state: s?.state ?? 'UNASSIGNED',
      worker_id: s?.workerId ?? this.#workerId,
      ...(s?.trace ? { trace: s.trace } : {}),
    };
  }

  taskConfigs(name: string) {
    const c = this.#require(name);
    return c.tasks.map((config, task) => ({ id: { connector: name, task }, config: { ...config } }));
  }

  /** Leader: writes a connector config (create or update). */
  async putConnectorConfig(
    name: string,
    config: ConnectConfig,
    options: { createOnly: boolean; initialState?: TargetState },
  ) {
    const exists = this.#o.configs.connectors().has(name);
    if (exists && options.createOnly) throw new ConnectRestError(409, `Connector ${name} already exists`);
    await this.#o.configs.putConnectorConfig(name, config, exists ? undefined : options.initialState);
    return { created: !exists };
  }

  async deleteConnector(name: string): Promise<void> {
    const c = this.#require(name);
    await this.#o.configs.removeConnector(name);
    await this.#o.statuses.remove(name, c.tasks.length).catch(() => {});
  }

  async putTaskConfigs(name: string, configs: ConnectConfig[]): Promise<void> {
    this.#require(name);
    await this.#o.configs.putTaskConfigs(name, configs);
  }

  async setTargetState(name: string, state: TargetState): Promise<void> {
    const c = this.#require(name);
    if (state === 'STOPPED' && c.tasks.length > 0) await this.#o.configs.putTaskConfigs(name, []);
    await this.#o.configs.putTargetState(name, state);
  }

  async restartConnector(name: string, includeTasks: boolean, onlyFailed: boolean): Promise<void> {
    this.#require(name);
    await this.#o.configs.requestRestart(name, includeTasks, onlyFailed);
  }

  /** Restarts a task running on this worker; false when it runs elsewhere. */
  async restartTask(name: string, id: number): Promise<boolean> {
    const c = this.#require(name);
    if (id < 0 || id >= c.tasks.length) throw new ConnectRestError(404, `Unknown task ${name}-${id}`);
    if (!this.#assignedHere(name, id)) return false;
    await this.#serial(() => this.#restartTaskLocal(name, id));
    return true;
  }

  topics(name: string): string[] {
    this.#require(name);
    return [...this.#o.statuses.topics(name)];
  }

  async resetTopics(name: string): Promise<void> {
    this.#require(name);
    await this.#o.statuses.resetTopics(name);
  }

  // ---- offsets (KIP-875) ----

  async offsets(name: string) {
    const c = this.#require(name);
    if (this.typeOf(c.config) === 'sink') {
      const groups = await this.#o.admin.listConsumerGroupOffsets({ groups: [`connect-${name}`] });
      const offsets = (groups[0]?.topics ?? []).flatMap((t) =>
        t.partitions
          .filter((p) => p.committedOffset >= 0n)
          .map((p) => ({
            partition: { kafka_topic: t.name, kafka_partition: p.partitionIndex },
            offset: { kafka_offset: Number(p.committedOffset) },
          })),
      );
      return { offsets };
    }
    await this.#o.offsets.refresh();
    return { offsets: this.#o.offsets.list(name).map((e) => ({ partition: e.partition, offset: e.offset })) };
  }

  #requireStopped(name: string): ReturnType<Herder['connectorInfo']> {
    const c = this.#require(name);
    if (c.targetState !== 'STOPPED') {
      throw new ConnectRestError(
        400,
        `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
      );
    }
    return this.connectorInfo(name);
  }

  /** PATCH: `offsets` entries with null offset reset that partition. */
  async alterOffsets(
    name: string,
    entries: readonly { partition: SourceMap; offset: SourceMap | null }[],
  ): Promise<void> {
    const info = this.#requireStopped(name);
    if (info.type === 'sink') {
      const set: { topic: string; partition: number; offset: bigint }[] = [];
      const reset: { topic: string; partition: number }[] = [];
      for (const e of entries) {
        const topic = e.partition.kafka_topic;
        const partition = e.partition.kafka_partition;
        if (typeof topic !== 'string' || typeof partition !== 'number') {
          throw new ConnectRestError(
            400,
            'Sink connector offsets must have "kafka_topic" and "kafka_partition" partition keys',
          );
        }
        if (e.offset === null) reset.push({ topic, partition });
        else if (typeof e.offset.kafka_offset !== 'number' || e.offset.kafka_offset < 0) {
          throw new ConnectRestError(
            400,
            'Sink connector offsets must have a non-negative "kafka_offset" offset key',
          );
        } else set.push({ topic, partition, offset: BigInt(e.offset.kafka_offset) });
      }
      const groupId = `connect-${name}`;
      if (set.length > 0) {
        const topics = [...new Set(set.map((s) => s.topic))];
        await this.#o.admin.alterConsumerGroupOffsets({
          groupId,
          topics: topics.map((t) => ({
            name: t,
            partitionOffsets: set
              .filter((s) => s.topic === t)
              .map((s) => ({ partition: s.partition, offset: s.offset })),
          })),
        });
      }
      if (reset.length > 0) await this.#deleteGroupOffsets(groupId, reset);
      return;
    }
    const offsets: OffsetEntry[] = entries.map((e) => ({ partition: e.partition, offset: e.offset }));
    await this.#o.offsets.set(name, offsets);
  }

  async #deleteGroupOffsets(
    groupId: string,
    partitions: readonly { topic: string; partition: number }[],
  ): Promise<void> {
    const topics = [...new Set(partitions.map((p) => p.topic))];
    await this.#o.admin.deleteConsumerGroupOffsets({
      groupId,
      topics: topics.map((t) => ({
        name: t,
        partitionIndexes: partitions.filter((p) => p.topic === t).map((p) => p.partition),
      })),
    });
  }

  async resetOffsets(name: string): Promise<void> {
    const info = this.#requireStopped(name);
    if (info.type === 'sink') {
      await this.#o.admin.deleteGroups({ groups: [`connect-${name}`] }).catch((err) => {
        if (!JSON.stringify(err?.errors ?? '').includes('GROUP_ID_NOT_FOUND')) throw err;
      });
      return;
    }
    await this.#o.offsets.refresh();
    await this.#o.offsets.set(
      name,
      this.#o.offsets.list(name).map((e) => ({ partition: e.partition, offset: null })),
    );
  }

  /** Plugin for a connector config (404/400 per Kafka). */
  plugin(className: string): ConnectorPluginInfo | undefined {
    return this.#o.plugins.connector(className);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#serial(() => this.#stopAll('UNASSIGNED'));
  }
}

function splitTaskKey(key: string): [string, number] {
  const i = key.lastIndexOf('-');
  return [key.slice(0, i), Number(key.slice(i + 1))];
}
