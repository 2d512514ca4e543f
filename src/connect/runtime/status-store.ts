/**
 * Connector and task statuses, in Kafka Connect's status topic format:
 * `status-connector-<name>` / `status-task-<name>-<n>` → `{"state", "trace", "worker_id",
 * "generation"}`, and the topics a connector used, `status-topic-<topic>:connector-<name>` →
 * `{"topic": {"name", "connector", "task", "discoverTimestamp"}}` (KIP-558). Each worker writes the
 * statuses of what it runs; every worker reads them all to answer the REST API.
 * `MemoryStatusStore` keeps the same in memory (standalone).
 */
import type { ConsumedRecord } from '../../client/consumed-record.ts';
import { KafkaLog, type KafkaLogOptions } from './kafka-log.ts';

export type State = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING' | 'STOPPED';

export interface Status {
  readonly state: State;
  readonly trace: string | null;
  readonly workerId: string;
  readonly generation: number;
}

export interface StatusStore {
  start(): Promise<void>;
  stop(): Promise<void>;
  putConnector(name: string, status: Status): Promise<void>;
  putTask(name: string, task: number, status: Status): Promise<void>;
  connector(name: string): Status | undefined;
  tasks(name: string): ReadonlyMap<number, Status>;
  /** Removes the connector's statuses (and its tasks' and topics'), when it is deleted. */
  remove(name: string, taskCount: number): Promise<void>;
  putTopic(name: string, topic: string, task: number): Promise<void>;
  topics(name: string): readonly string[];
  resetTopics(name: string): Promise<void>;
}

class StatusState {
  readonly connectors = new Map<string, Status>();
  readonly tasks = new Map<string, Map<number, Status>>();
  readonly topics = new Map<string, Set<string>>();

  apply(key: string, value: Record<string, unknown> | null): void {
    let m: RegExpExecArray | null;
    const status = (): Status => ({
      state: value!.state as State,
      trace: (value!.trace as string | null) ?? null,
      workerId: String(value!.worker_id ?? ''),
      generation: Number(value!.generation ?? 0),
    });
    // A status from an older generation written by another worker arrives late: keep the newer one.
    const stale = (existing: Status | undefined): boolean => {
      if (!existing || value === null) return false;
      const s = status();
      return existing.workerId !== s.workerId && s.generation < existing.generation;
    };
    if ((m = /^status-connector-(.+)$/s.exec(key))) {
      if (value === null) this.connectors.delete(m[1]!);
      else if (!stale(this.connectors.get(m[1]!))) this.connectors.set(m[1]!, status());
    } else if ((m = /^status-task-(.+)-(\d+)$/s.exec(key))) {
      const tasks = this.tasks.get(m[1]!) ?? new Map<number, Status>();
      if (value === null) tasks.delete(Number(m[2]));
      else if (!stale(tasks.get(Number(m[2])))) tasks.set(Number(m[2]), status());
      this.tasks.set(m[1]!, tasks);
    } else if ((m = /^status-topic-(.+):connector-(.+)$/s.exec(key))) {
      const topics = this.topics.get(m[2]!) ?? new Set<string>();
      if (value === null) topics.delete(m[1]!);
      else topics.add(m[1]!);
      this.topics.set(m[2]!, topics);
    }
  }
}

function statusValue(s: Status): Record<string, unknown> {
  return { state: s.state, trace: s.trace, worker_id: s.workerId, generation: s.generation };
}

abstract class BaseStatusStore implements StatusStore {
  protected readonly state = new StatusState();
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  protected abstract write(key: string, value: Record<string, unknown> | null): Promise<void>;

  putConnector = (name: string, status: Status) =>
    this.write(`status-connector-${name}`, statusValue(status));
  putTask = (name: string, task: number, status: Status) =>
    this.write(`status-task-${name}-${task}`, statusValue(status));
  connector = (name: string): Status | undefined => this.state.connectors.get(name);
  tasks = (name: string): ReadonlyMap<number, Status> => this.state.tasks.get(name) ?? new Map();
  topics = (name: string): readonly string[] => [...(this.state.topics.get(name) ?? [])].sort();

  async remove(name: string, taskCount: number): Promise<void> {
    await this.write(`status-connector-${name}`, null);
    const ids = new Set([...this.tasks(name).keys(), ...Array(taskCount).keys()]);
    for (const id of ids) await this.write(`status-task-${name}-${id}`, null);
    await this.resetTopics(name);
  }

  async putTopic(name: string, topic: string, task: number): Promise<void> {
    if (this.state.topics.get(name)?.has(topic)) return;
    await this.write(`status-topic-${topic}:connector-${name}`, {
      topic: { name: topic, connector: name, task, discoverTimestamp: Date.now() },
    });
  }

  async resetTopics(name: string): Promise<void> {
    for (const topic of this.topics(name)) await this.write(`status-topic-${topic}:connector-${name}`, null);
  }
}

export class KafkaStatusStore extends BaseStatusStore {
  readonly #log: KafkaLog;

  constructor(options: Omit<KafkaLogOptions, 'apply'>) {
    super();
    this.#log = new KafkaLog({
      ...options,
      apply: (record: ConsumedRecord) => {
        if (record.key === null) return;
        this.state.apply(
          record.key.toString('utf8'),
          record.value === null ? null : JSON.parse(record.value.toString('utf8')),
        );
      },
    });
  }

  start = (): Promise<void> => this.#log.start();
  stop = (): Promise<void> => this.#log.stop();

  protected async write(key: string, value: Record<string, unknown> | null): Promise<void> {
    // Apply locally at once (our own view is current), then make it durable for the others.
    this.state.apply(key, value);
    await this.#log.send(Buffer.from(key), value === null ? null : Buffer.from(JSON.stringify(value)));
  }
}

export class MemoryStatusStore extends BaseStatusStore {
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  protected async write(key: string, value: Record<string, unknown> | null): Promise<void> {
    this.state.apply(key, value);
  }
}
