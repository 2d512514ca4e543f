/**
 * The Postgres sink connector: up to `tasks.max` identical tasks (the runtime spreads the topic
 * partitions), and a `validate` that reaches the database so a bad URL or credentials show up in
 * `config/validate` and `POST /connectors`.
 */
import pg from 'pg';
import type { ConnectConfig, Connector, ConnectorContext } from '../../connect/api/index.ts';
import { readSinkConfig } from './config.ts';
import { connectionConfig } from './task.ts';

export class PostgresSinkConnector implements Connector {
  private config: ConnectConfig = {};

  start(config: ConnectConfig, _context: ConnectorContext): void {
    this.config = config;
  }

  taskConfigs(maxTasks: number): ConnectConfig[] {
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...this.config }));
  }

  stop(): void {}

  async validate(raw: ConnectConfig): Promise<Map<string, string[]>> {
    const errors = new Map<string, string[]>();
    let config: ReturnType<typeof readSinkConfig>;
    try {
      config = readSinkConfig(raw);
    } catch (err) {
      // Cross-key rules (insert.mode/pk.mode/delete.enabled); single keys are the runtime's.
      const lines = (err as Error).message.split('\n').slice(1);
      for (const line of lines) {
        const key = line.startsWith('insert.mode')
          ? 'insert.mode'
          : line.startsWith('delete.enabled')
            ? 'delete.enabled'
            : 'pk.mode';
        if (!line.startsWith('Invalid value') && !line.startsWith('Missing required'))
          errors.set(key, [line]);
      }
      return errors;
    }
    const client = new pg.Client(connectionConfig(config));
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch (err) {
      errors.set('connection.url', [`Unable to connect: ${(err as Error).message}`]);
    } finally {
      await client.end().catch(() => {});
    }
    return errors;
  }
}
