/**
 * The HTTP sink connector: checks the configuration (beyond the ConfigDef: auth pairs, retry topics
 * that need a topic list) and gives every task the same configuration; partitions are spread over
 * the tasks by the runtime's consumer group.
 */
import { type ConnectConfig, ConnectError, type Connector } from '../../connect/api/index.ts';
import { crossCheck, httpSinkSettings } from './config.ts';

export class HttpSinkConnector implements Connector {
  #config: ConnectConfig = {};

  start(config: ConnectConfig): void {
    try {
      httpSinkSettings(config);
    } catch (err) {
      throw new ConnectError((err as Error).message);
    }
    this.#config = config;
  }

  taskConfigs(maxTasks: number): ConnectConfig[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.#config }));
  }

  stop(): void {}

  validate(config: ConnectConfig): Map<string, string[]> {
    return crossCheck(config);
  }
}
