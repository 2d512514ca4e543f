/**
 * The Connect worker's Prometheus metrics, served at `GET /metrics` on its REST port: connectors
 * and tasks on this worker's view of the cluster with their states, and per-task record totals
 * named after Kafka Connect's JMX metrics (source-record-poll/write-total, sink-record-read/
 * send-total) as the JMX exporter writes them. Task runners bump plain numbers; states are read
 * from the herder when Prometheus scrapes. Not (yet) exposed: per-task latency and batch sizes.
 */
import type { Registry } from 'prom-client';
import { callbackCounter, callbackGauge, createRegistry, type Sample } from '../../metrics/registry.ts';
import type { Herder } from './herder.ts';

/** Per-task totals (source tasks use polled/written, sink tasks read/put). */
export class TaskCounters {
  /** Records returned by the source task's poll(). */
  polled = 0;
  /** Source records acknowledged by the broker. */
  written = 0;
  /** Records fetched for the sink task. */
  read = 0;
  /** Records handed to the sink task's put() and accepted. */
  put = 0;
}

export class ConnectMetrics {
  readonly registry: Registry;
  private readonly tasks = new Map<string, { connector: string; task: number; counters: TaskCounters }>();

  constructor() {
    this.registry = createRegistry();
  }

  /** The counters of one task (kept across restarts of the task, dropped with its connector). */
  task(connector: string, task: number): TaskCounters {
    const key = `${connector}\u0000${task}`;
    let entry = this.tasks.get(key);
    if (entry === undefined) {
      entry = { connector, task, counters: new TaskCounters() };
      this.tasks.set(key, entry);
    }
    return entry.counters;
  }

  /** Registers the gauges that read the herder at scrape time. */
  watch(herder: Herder): void {
    const registry = this.registry;
    const statuses = () =>
      herder.connectorNames().flatMap((name) => {
        try {
          return [herder.connectorStatus(name)];
        } catch {
          return []; // deleted between listing and reading
        }
      });
    callbackGauge({
      registry,
      name: 'kafka_connect_worker_connector_count',
      help: 'Connectors configured in the Connect cluster',
      collect: () => herder.connectorNames().length,
    });
    callbackGauge({
      registry,
      name: 'kafka_connect_worker_task_count',
      help: 'Tasks of all connectors',
      collect: () => statuses().reduce((n, s) => n + s.tasks.length, 0),
    });
    callbackGauge({
      registry,
      name: 'kafka_connect_connector_status',
      help: 'Connector state (1 for the current one): RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED',
      labelNames: ['connector', 'type', 'status'],
      collect: () =>
        statuses().map((s): Sample => [{ connector: s.name, type: s.type, status: s.connector.state }, 1]),
    });
    callbackGauge({
      registry,
      name: 'kafka_connect_connector_task_status',
      help: 'Task state (1 for the current one): RUNNING, PAUSED, FAILED, UNASSIGNED',
      labelNames: ['connector', 'task', 'status'],
      collect: () =>
        statuses().flatMap((s) =>
          s.tasks.map((t): Sample => [{ connector: s.name, task: t.id, status: t.state }, 1]),
        ),
    });
    const live = new Set<string>();
    const perTask = (field: keyof TaskCounters) => (): Sample[] => {
      live.clear();
      for (const n of herder.connectorNames()) live.add(n);
      const out: Sample[] = [];
      for (const [key, e] of this.tasks) {
        if (!live.has(e.connector)) {
          this.tasks.delete(key);
          continue;
        }
        out.push([{ connector: e.connector, task: e.task }, e.counters[field]]);
      }
      return out;
    };
    const counters: [string, string, keyof TaskCounters][] = [
      ['source_task_metrics_source_record_poll_total', 'Records polled from source tasks', 'polled'],
      ['source_task_metrics_source_record_write_total', 'Source records acknowledged by Kafka', 'written'],
      ['sink_task_metrics_sink_record_read_total', 'Records read from Kafka for sink tasks', 'read'],
      ['sink_task_metrics_sink_record_send_total', 'Records put into sink tasks', 'put'],
    ];
    for (const [name, help, field] of counters) {
      callbackCounter({
        registry,
        name: `kafka_connect_${name}`,
        help,
        labelNames: ['connector', 'task'],
        collect: perTask(field),
      });
    }
  }
}
