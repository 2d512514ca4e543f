/**
 * The Postgres upsert sink plugin (`samsa.connect.postgres.PostgresSinkConnector`, also accepted
 * under `io.confluent.connect.jdbc.JdbcSinkConnector` and `io.debezium.connector.jdbc.JdbcSinkConnector`).
 */
import type { SinkConnectorPlugin } from '../../connect/api/index.ts';
import { SINK_CONFIG } from './config.ts';
import { PostgresSinkConnector } from './connector.ts';
import { PostgresSinkTask } from './task.ts';

export const postgresSink: SinkConnectorPlugin = {
  type: 'sink',
  className: 'samsa.connect.postgres.PostgresSinkConnector',
  aliases: [
    'io.confluent.connect.jdbc.JdbcSinkConnector',
    'io.debezium.connector.jdbc.JdbcSinkConnector',
    'JdbcSinkConnector',
    'PostgresSinkConnector',
  ],
  version: '0.1.0',
  config: SINK_CONFIG,
  createConnector: () => new PostgresSinkConnector(),
  createTask: () => new PostgresSinkTask(),
};
