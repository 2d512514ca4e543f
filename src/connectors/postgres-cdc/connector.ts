/**
 * The CDC source connector: one task (a replication slot has one reader, as in Debezium), and a
 * `validate` that reaches the database so a bad hostname, bad credentials or a server without
 * wal_level=logical is reported by `config/validate` and `POST /connectors` instead of later.
 */
import type { ConnectConfig, Connector, ConnectorContext } from '../../connect/api/index.ts';
import { assertLogicalDecoding, serverInfo } from './catalog.ts';
import { readCdcConfig } from './config.ts';
import { connect, describeError } from './connection.ts';

export class PostgresCdcSourceConnector implements Connector {
  private config: ConnectConfig = {};

  start(config: ConnectConfig, _context: ConnectorContext): void {
    this.config = config;
  }

  taskConfigs(_maxTasks: number): ConnectConfig[] {
    return [{ ...this.config }];
  }

  stop(): void {}

  async validate(raw: ConnectConfig): Promise<Map<string, string[]>> {
    const errors = new Map<string, string[]>();
    let config: ReturnType<typeof readCdcConfig>;
    try {
      config = readCdcConfig(raw);
    } catch {
      return errors; // the ConfigDef's own errors are reported by the runtime
    }
    try {
      const client = await connect(config);
      try {
        assertLogicalDecoding(await serverInfo(client), `${config.hostname}:${config.port}`);
      } finally {
        await client.end().catch(() => {});
      }
    } catch (err) {
      const error = describeError(err, config);
      const key = /authentication|password/i.test(error.message)
        ? 'database.password'
        : /wal_level/.test(error.message)
          ? 'database.hostname'
          : /database ".*" does not exist/.test(error.message)
            ? 'database.dbname'
            : 'database.hostname';
      errors.set(key, [`Unable to connect: ${error.message}`]);
    }
    return errors;
  }
}
