/**
 * The PostgreSQL change data capture source plugin (`samsa.connect.postgres.PostgresCdcSourceConnector`,
 * also accepted under Debezium's `io.debezium.connector.postgresql.PostgresConnector`).
 */
import type { SourceConnectorPlugin } from '../../connect/api/index.ts';
import { CDC_CONFIG } from './config.ts';
import { PostgresCdcSourceConnector } from './connector.ts';
import { PostgresCdcSourceTask } from './task.ts';
import { CONNECTOR_VERSION } from './version.ts';

export const postgresCdcSource: SourceConnectorPlugin = {
  type: 'source',
  className: 'samsa.connect.postgres.PostgresCdcSourceConnector',
  aliases: [
    'io.debezium.connector.postgresql.PostgresConnector',
    'PostgresConnector',
    'PostgresCdcSourceConnector',
  ],
  version: CONNECTOR_VERSION,
  config: CDC_CONFIG,
  createConnector: () => new PostgresCdcSourceConnector(),
  createTask: () => new PostgresCdcSourceTask(),
};
