/**
 * The Postgres upsert sink plugin (`samsa.connect.postgres.PostgresSinkConnector`, also accepted
 * under `io.confluent.connect.jdbc.JdbcSinkConnector` and `io.debezium.connector.jdbc.JdbcSinkConnector`).
 */
import type { SinkConnectorPlugin } from '../../connect/api/index.ts';
import { POSTGRES_SINK_INFO } from './config.ts';
import { PostgresSinkConnector } from './connector.ts';
import { PostgresSinkTask } from './task.ts';

export const postgresSink: SinkConnectorPlugin = {
  ...POSTGRES_SINK_INFO,
  createConnector: () => new PostgresSinkConnector(),
  createTask: () => new PostgresSinkTask(),
};
