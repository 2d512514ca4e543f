/**
 * A task's converters: the connector's `key.converter` / `value.converter` (else the worker's),
 * configured with the worker's `key.converter.*` keys overridden by the connector's. Headers use a
 * simple string form: schemaless header values are written as UTF-8 text (JSON for objects) and
 * read back as strings, like Kafka's SimpleHeaderConverter for text.
 */
import type { ConnectConfig, ConnectHeader, Converter } from '../api/index.ts';
import { toJsonText } from '../converters/json-text.ts';
import { subConfig } from '../transforms/index.ts';
import type { Plugins } from './plugins.ts';
import type { WorkerSettings } from './worker-config.ts';

export interface TaskConverters {
  key: Converter;
  value: Converter;
  keyClass: string;
  valueClass: string;
}

export async function taskConverters(
  plugins: Plugins,
  worker: WorkerSettings,
  connectorConfig: ConnectConfig,
): Promise<TaskConverters> {
  const make = async (which: 'key' | 'value'): Promise<[Converter, string]> => {
    const prop = `${which}.converter`;
    const fromConnector = connectorConfig[prop];
    const className = fromConnector ?? (which === 'key' ? worker.keyConverter : worker.valueConverter);
    const plugin = await plugins.loadConverter(className);
    if (!plugin) throw new Error(`Class ${className} could not be found.`);
    const config = { ...subConfig(worker.properties, `${prop}.`), ...subConfig(connectorConfig, `${prop}.`) };
    const converter = plugin.create();
    await converter.configure(config, which === 'key');
    return [converter, plugin.className];
  };
  const [key, keyClass] = await make('key');
  const [value, valueClass] = await make('value');
  return { key, value, keyClass, valueClass };
}

export function headerBytes(header: ConnectHeader): Buffer {
  const v = header.value;
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v === null || v === undefined) return Buffer.alloc(0);
  return Buffer.from(typeof v === 'object' ? toJsonText(v) : String(v), 'utf8');
}
