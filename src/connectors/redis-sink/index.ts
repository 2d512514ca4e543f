/** The Redis sink plugin: `samsa.connect.redis.RedisSinkConnector`, also answering to Redis Inc.'s class name. */
import type { SinkConnectorPlugin } from '../../connect/api/index.ts';
import { REDIS_SINK_CONFIG } from './config.ts';
import { RedisSinkConnector } from './connector.ts';
import { RedisSinkTask } from './task.ts';

export const REDIS_SINK_CLASS = 'samsa.connect.redis.RedisSinkConnector';

export const redisSinkPlugin: SinkConnectorPlugin = {
  type: 'sink',
  className: REDIS_SINK_CLASS,
  aliases: ['com.redis.kafka.connect.RedisSinkConnector'],
  version: '0.1.0',
  config: REDIS_SINK_CONFIG,
  createConnector: () => new RedisSinkConnector(),
  createTask: () => new RedisSinkTask(),
};

export { RedisSinkTask } from './task.ts';
