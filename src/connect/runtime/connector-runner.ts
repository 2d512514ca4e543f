/**
 * Runs one connector instance (Kafka's `WorkerConnector`): starts it with its config, asks it for
 * task configs (`tasks.max`) and hands them to the worker, again whenever the connector calls
 * `requestTaskReconfiguration`. Failures show as FAILED with the trace.
 */
import type { Logger } from 'pino';
import type { ConnectConfig, Connector, ConnectorPlugin } from '../api/index.ts';
import { traceOf } from '../errors/error-handler.ts';
import type { State } from './status-store.ts';

export interface ConnectorRunnerOptions {
  name: string;
  plugin: ConnectorPlugin;
  config: ConnectConfig;
  logger: Logger;
  report(state: State, trace: string | null): void;
  /** New task configs from the connector (the worker writes them when they changed). */
  onTaskConfigs(configs: ConnectConfig[]): Promise<void>;
}

export class ConnectorRunner {
  readonly #o: ConnectorRunnerOptions;
  #connector: Connector | null = null;
  #running = false;
  #failed = false;

  constructor(options: ConnectorRunnerOptions) {
    this.#o = options;
  }

  get config(): ConnectConfig {
    return this.#o.config;
  }

  /** Started (not left stopped by a STOPPED target state, not stopped since). */
  get running(): boolean {
    return this.#running;
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Starts the connector unless `state` is STOPPED; PAUSED connectors run but are shown PAUSED. */
  async start(state: 'STARTED' | 'PAUSED' | 'STOPPED'): Promise<void> {
    const o = this.#o;
    if (state === 'STOPPED') {
      o.report('STOPPED', null);
      return;
    }
    try {
      this.#connector = o.plugin.createConnector();
      await this.#connector.start(o.config, {
        connectorName: o.name,
        logger: o.logger,
        requestTaskReconfiguration: () => {
          void this.reconfigure();
        },
        raiseError: (error) => this.#fail(error),
      });
      this.#running = true;
      o.report(state === 'PAUSED' ? 'PAUSED' : 'RUNNING', null);
      await this.reconfigure();
    } catch (err) {
      this.#fail(err);
    }
  }

  #fail(err: unknown): void {
    this.#failed = true;
    this.#o.logger.error({ err, connector: this.#o.name }, 'connector failed');
    this.#o.report('FAILED', traceOf(err));
  }

  async reconfigure(): Promise<void> {
    if (!this.#running || !this.#connector || this.#failed) return;
    try {
      const max = Number(this.#o.config['tasks.max'] ?? 1);
      const configs = await this.#connector.taskConfigs(max);
      await this.#o.onTaskConfigs(configs.slice(0, max));
    } catch (err) {
      this.#fail(err);
    }
  }

  setState(state: 'STARTED' | 'PAUSED'): void {
    if (this.#running && !this.#failed) this.#o.report(state === 'PAUSED' ? 'PAUSED' : 'RUNNING', null);
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    try {
      await this.#connector?.stop();
    } catch (err) {
      this.#o.logger.warn({ err, connector: this.#o.name }, 'connector stop failed');
    }
  }
}
