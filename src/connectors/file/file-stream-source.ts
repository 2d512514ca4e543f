/**
 * Kafka's `org.apache.kafka.connect.file.FileStreamSourceConnector`: each line appended to `file`
 * becomes a record (string value, no key, schema string) on `topic`. The source partition is
 * `{"filename": file}` and the offset `{"position": <byte offset after the line>}`, as Kafka's,
 * so a restart resumes after the last line whose record the broker acknowledged. `batch.size`
 * lines at most per poll. Reading stdin (no `file`) is not supported.
 */
import { open } from 'node:fs/promises';
import type {
  ConfigDef,
  ConnectConfig,
  SourceConnectorPlugin,
  SourceRecord,
  SourceTask,
  SourceTaskContext,
} from '../../connect/api/index.ts';
import { ConnectorConfig, Schemas } from '../../connect/api/index.ts';

const CONFIG: ConfigDef = [
  { name: 'file', type: 'STRING', importance: 'HIGH', documentation: 'Source filename.' },
  { name: 'topic', type: 'STRING', importance: 'HIGH', documentation: 'The topic to publish data to' },
  {
    name: 'batch.size',
    type: 'INT',
    default: 2000,
    importance: 'LOW',
    documentation:
      'The maximum number of records the source task can read from the file each time it is polled',
  },
];

const VALUE_SCHEMA = Schemas.string();

class FileStreamSourceTask implements SourceTask {
  #file = '';
  #topic = '';
  #batchSize = 2000;
  #position = 0;
  #pending = Buffer.alloc(0);
  #signal!: AbortSignal;

  async start(config: ConnectConfig, context: SourceTaskContext): Promise<void> {
    const c = new ConnectorConfig(CONFIG, config).assertValid();
    this.#file = c.string('file');
    this.#topic = c.string('topic');
    this.#batchSize = c.number('batch.size');
    this.#signal = context.signal;
    const offset = await context.offsetStorageReader.offset({ filename: this.#file });
    this.#position = typeof offset?.position === 'number' ? offset.position : 0;
  }

  async poll(): Promise<SourceRecord[] | null> {
    const records = await this.#read();
    if (records.length > 0) return records;
    await new Promise((resolve) => {
      const t = setTimeout(resolve, 200);
      this.#signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve(undefined);
      });
    });
    return null;
  }

  async #read(): Promise<SourceRecord[]> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.#file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    try {
      const start = this.#position + this.#pending.length;
      const buffer = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
      if (bytesRead === 0) return [];
      this.#pending = Buffer.concat([this.#pending, buffer.subarray(0, bytesRead)]);
    } finally {
      await handle.close();
    }
    const records: SourceRecord[] = [];
    let nl: number;
    while (records.length < this.#batchSize && (nl = this.#pending.indexOf(0x0a)) >= 0) {
      let line = this.#pending.subarray(0, nl);
      if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
      this.#position += nl + 1;
      this.#pending = this.#pending.subarray(nl + 1);
      records.push({
        topic: this.#topic,
        kafkaPartition: null,
        keySchema: null,
        key: null,
        valueSchema: VALUE_SCHEMA,
        value: line.toString('utf8'),
        timestamp: null,
        headers: [],
        sourcePartition: { filename: this.#file },
        sourceOffset: { position: this.#position },
      });
    }
    return records;
  }

  async stop(): Promise<void> {}
}

export const fileStreamSourcePlugin: SourceConnectorPlugin = {
  type: 'source',
  className: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
  version: '0.1.0',
  config: CONFIG,
  createConnector() {
    let config: ConnectConfig = {};
    return {
      start(c) {
        new ConnectorConfig(CONFIG, c).assertValid();
        config = c;
      },
      taskConfigs: () => [{ ...config }],
      stop() {},
    };
  },
  createTask: () => new FileStreamSourceTask(),
};
