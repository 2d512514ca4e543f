/**
 * The PostgreSQL change data capture source plugin (`samsa.connect.postgres.PostgresCdcSourceConnector`,
 * also accepted under Debezium's `io.debezium.connector.postgresql.PostgresConnector`).
 */
import type { SourceConnectorPlugin } from '../../connect/api/index.ts';
import { POSTGRES_CDC_INFO } from './config.ts';
import { PostgresCdcSourceConnector } from './connector.ts';
import { PostgresCdcSourceTask } from './task.ts';

export const postgresCdcSource: SourceConnectorPlugin = {
  ...POSTGRES_CDC_INFO,
  createConnector: () => new PostgresCdcSourceConnector(),
  createTask: () => new PostgresCdcSourceTask(),
};
