/**
 * The Redis sink connector: checks the configuration and gives every task the same one
 * (partitions are spread over tasks by the runtime's consumer group).
 */
import { type ConnectConfig, ConnectError, type Connector } from '../../connect/api/index.ts';
import { redisSinkSettings } from './config.ts';

export class RedisSinkConnector implements Connector {
  #config: ConnectConfig = {};

  start(config: ConnectConfig): void {
    try {
      redisSinkSettings(config);
    } catch (err) {
      throw new ConnectError((err as Error).message);
    }
    this.#config = config;
  }

  taskConfigs(maxTasks: number): ConnectConfig[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.#config }));
  }

  stop(): void {}
}
