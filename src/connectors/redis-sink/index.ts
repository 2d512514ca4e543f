/** The Redis sink plugin: `samsa.connect.redis.RedisSinkConnector`, also answering to Redis Inc.'s class name. */
import type { SinkConnectorPlugin } from '../../connect/api/index.ts';
import { REDIS_SINK_INFO } from './config.ts';
import { RedisSinkConnector } from './connector.ts';
import { RedisSinkTask } from './task.ts';

export { REDIS_SINK_CLASS } from './config.ts';

export const redisSinkPlugin: SinkConnectorPlugin = {
  ...REDIS_SINK_INFO,
  createConnector: () => new RedisSinkConnector(),
  createTask: () => new RedisSinkTask(),
};

export { RedisSinkTask } from './task.ts';
