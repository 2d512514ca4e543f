/**
 * Source offsets: for each (connector, source partition) the last offset whose records the broker
 * acknowledged. Distributed mode keeps them in Kafka Connect's offset topic format — key
 * `["<connector>",{<partition>}]`, value `{<offset>}` (schemaless JSON), a tombstone to reset — so
 * offsets move between Kafka Connect and Samsa. Standalone mode keeps them in a JSON file
 * (`offset.storage.file.filename`), written atomically (temp file + rename) on each flush.
 * Kafka's standalone file is a Java-serialized map; ours is JSON and not interchangeable.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ConsumedRecord } from '../../client/consumed-record.ts';
import type { SourceMap } from '../api/index.ts';
import { KafkaLog, type KafkaLogOptions } from './kafka-log.ts';

export interface OffsetEntry {
  readonly partition: SourceMap;
  /** null: remove (reset) the partition's offset. */
  readonly offset: SourceMap | null;
}

export interface OffsetStore {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Applies what other workers wrote (distributed). */
  refresh(): Promise<void>;
  get(connector: string, partition: SourceMap): SourceMap | null;
  /** Resolves once the entries are durable. */
  set(connector: string, entries: readonly OffsetEntry[]): Promise<void>;
  list(connector: string): OffsetEntry[];
}

/** Key order independent identity of a JSON object. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

class OffsetState {
  /** connector → canonical partition → entry. */
  readonly byConnector = new Map<string, Map<string, OffsetEntry>>();

  apply(connector: string, partition: SourceMap, offset: SourceMap | null): void {
    const map = this.byConnector.get(connector) ?? new Map<string, OffsetEntry>();
    if (offset === null) map.delete(canonical(partition));
    else map.set(canonical(partition), { partition, offset });
    this.byConnector.set(connector, map);
  }

  get(connector: string, partition: SourceMap): SourceMap | null {
    return this.byConnector.get(connector)?.get(canonical(partition))?.offset ?? null;
  }

  list(connector: string): OffsetEntry[] {
    return [...(this.byConnector.get(connector)?.values() ?? [])];
  }
}

export class KafkaOffsetStore implements OffsetStore {
  readonly #state = new OffsetState();
  readonly #log: KafkaLog;

  constructor(options: Omit<KafkaLogOptions, 'apply'>) {
    this.#log = new KafkaLog({
      ...options,
      apply: (record: ConsumedRecord) => {
        if (record.key === null) return;
        const key = JSON.parse(record.key.toString('utf8')) as unknown;
        if (!Array.isArray(key) || key.length !== 2 || typeof key[0] !== 'string') return;
        const offset =
          record.value === null ? null : (JSON.parse(record.value.toString('utf8')) as SourceMap);
        this.#state.apply(key[0], key[1] as SourceMap, offset);
      },
    });
  }

  start = (): Promise<void> => this.#log.start();
  stop = (): Promise<void> => this.#log.stop();
  refresh = (): Promise<void> => this.#log.readToEnd();
  get = (connector: string, partition: SourceMap): SourceMap | null => this.#state.get(connector, partition);
  list = (connector: string): OffsetEntry[] => this.#state.list(connector);

  async set(connector: string, entries: readonly OffsetEntry[]): Promise<void> {
    await Promise.all(
      entries.map((e) =>
        this.#log.send(
          Buffer.from(JSON.stringify([connector, e.partition])),
          e.offset === null ? null : Buffer.from(JSON.stringify(e.offset)),
        ),
      ),
    );
    for (const e of entries) this.#state.apply(connector, e.partition, e.offset);
  }
}

export class FileOffsetStore implements OffsetStore {
  readonly #state = new OffsetState();
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  async start(): Promise<void> {
    if (!existsSync(this.#path)) return;
    const text = readFileSync(this.#path, 'utf8');
    if (text.trim() === '') return;
    const json = JSON.parse(text) as { offsets?: [string, SourceMap, SourceMap][] };
    for (const [connector, partition, offset] of json.offsets ?? [])
      this.#state.apply(connector, partition, offset);
  }

  async stop(): Promise<void> {}
  async refresh(): Promise<void> {}
  get = (connector: string, partition: SourceMap): SourceMap | null => this.#state.get(connector, partition);
  list = (connector: string): OffsetEntry[] => this.#state.list(connector);

  async set(connector: string, entries: readonly OffsetEntry[]): Promise<void> {
    for (const e of entries) this.#state.apply(connector, e.partition, e.offset);
    const offsets: [string, SourceMap, SourceMap][] = [];
    for (const [name, map] of this.#state.byConnector) {
      for (const e of map.values()) offsets.push([name, e.partition, e.offset!]);
    }
    const tmp = `${this.#path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, offsets }, null, 1)}\n`);
    renameSync(tmp, this.#path);
  }
}
