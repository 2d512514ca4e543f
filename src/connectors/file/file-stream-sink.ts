/**
 * Kafka's `org.apache.kafka.connect.file.FileStreamSinkConnector`: appends each record's value as
 * one line to `file` (strings as they are, other values as JSON), flushed (fsync) before offsets
 * are committed. Redelivery after a crash can repeat lines (at-least-once, as Kafka's).
 */
import { type FileHandle, open } from 'node:fs/promises';
import type {
  ConfigDef,
  ConnectConfig,
  SinkConnectorPlugin,
  SinkRecord,
  SinkTask,
} from '../../connect/api/index.ts';
import { ConnectorConfig } from '../../connect/api/index.ts';

const CONFIG: ConfigDef = [
  { name: 'file', type: 'STRING', importance: 'HIGH', documentation: 'Destination filename.' },
];

function line(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

class FileStreamSinkTask implements SinkTask {
  #handle: FileHandle | null = null;

  async start(config: ConnectConfig): Promise<void> {
    const c = new ConnectorConfig(CONFIG, config).assertValid();
    this.#handle = await open(c.string('file'), 'a');
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#handle!.write(records.map((r) => `${line(r.value)}\n`).join(''));
  }

  async flush(): Promise<void> {
    await this.#handle?.sync();
  }

  async stop(): Promise<void> {
    await this.#handle?.close();
    this.#handle = null;
  }
}

export const fileStreamSinkPlugin: SinkConnectorPlugin = {
  type: 'sink',
  className: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
  version: '0.1.0',
  config: CONFIG,
  createConnector() {
    let config: ConnectConfig = {};
    return {
      start(c) {
        new ConnectorConfig(CONFIG, c).assertValid();
        config = c;
      },
      taskConfigs: (max) => Array.from({ length: max }, () => ({ ...config })),
      stop() {},
    };
  },
  createTask: () => new FileStreamSinkTask(),
};
