/**
 * The plugin registry: connector plugins (the built-in list in src/connectors/index.ts plus any
 * given at start), converters, transforms and predicates, found by class name or alias. Connector
 * plugins may be lazy (known by their info, imported on first use): `connector()` answers from the
 * info, `loadConnector()` gives the plugin's code. The schema-registry converters are lazy too:
 * `converter()` knows their names, `loadConverter()` imports them.
 */
import { CONNECTORS } from '../../connectors/index.ts';
import type {
  ConnectorPlugin,
  ConnectorPluginEntry,
  ConnectorPluginInfo,
  ConverterPlugin,
  PredicatePlugin,
  TransformationPlugin,
} from '../api/index.ts';
import { jsonConverterPlugin } from '../converters/json-converter.ts';
import { byteArrayConverterPlugin, stringConverterPlugin } from '../converters/string-converter.ts';
import { PREDICATES, TRANSFORMS } from '../transforms/index.ts';

export interface PluginInfo {
  class: string;
  type: 'source' | 'sink' | 'converter' | 'header_converter' | 'transformation' | 'predicate';
  version?: string;
}

export const RUNTIME_VERSION = '0.1.0';

/** A converter known by its names; `load` imports it. */
interface LazyConverterPlugin {
  readonly className: string;
  readonly aliases: readonly string[];
  load(): Promise<ConverterPlugin>;
}

function registryConverter(className: string, alias: string): LazyConverterPlugin {
  return {
    className,
    aliases: [alias],
    load: async () => {
      const { SCHEMA_REGISTRY_CONVERTERS } = await import('../converters/schema-registry-converters.ts');
      return SCHEMA_REGISTRY_CONVERTERS.find((p) => p.className === className)!;
    },
  };
}

/**
 * The converters, in the order of src/connect/converters/index.ts (plugins.test.ts checks they are
 * the same). The schema-registry converters are imported when a task or a validation first names
 * one: with them come protobufjs, the registry client and undici, about 8 MB of an idle worker's
 * RSS (docs/benchmarks.md, "Connect worker memory").
 */
export const CONVERTER_ENTRIES: readonly (ConverterPlugin | LazyConverterPlugin)[] = [
  jsonConverterPlugin,
  stringConverterPlugin,
  byteArrayConverterPlugin,
  registryConverter('io.confluent.connect.avro.AvroConverter', 'AvroConverter'),
  registryConverter('io.confluent.connect.json.JsonSchemaConverter', 'JsonSchemaConverter'),
  registryConverter('io.confluent.connect.protobuf.ProtobufConverter', 'ProtobufConverter'),
];

function byName<T extends { className: string; aliases?: readonly string[] }>(
  list: readonly T[],
  name: string,
): T | undefined {
  return list.find((p) => p.className === name || p.aliases?.includes(name));
}

export class Plugins {
  readonly connectors: readonly ConnectorPluginEntry[];

  constructor(extra: readonly ConnectorPluginEntry[] = []) {
    this.connectors = [...CONNECTORS, ...extra];
  }

  /** The plugin's info, without loading its code. */
  connector(name: string): ConnectorPluginInfo | undefined {
    return this.#entry(name);
  }

  /** The plugin with its code (a lazy plugin's module is imported on the first call). */
  async loadConnector(name: string): Promise<ConnectorPlugin | undefined> {
    const entry = this.#entry(name);
    return entry !== undefined && 'load' in entry ? entry.load() : entry;
  }

  #entry(name: string): ConnectorPluginEntry | undefined {
    // Kafka also accepts the simple class name and the name without "Connector".
    return (
      byName(this.connectors, name) ??
      this.connectors.find((p) => {
        const simple = p.className.split('.').at(-1)!;
        return simple === name || simple.replace(/Connector$/, '') === name;
      })
    );
  }

  /** Whether a converter of this name exists (its names, without loading it). */
  converter(name: string): { className: string } | undefined {
    return byName(CONVERTER_ENTRIES, name);
  }

  /** The converter (a schema-registry converter's module is imported on the first call). */
  async loadConverter(name: string): Promise<ConverterPlugin | undefined> {
    const entry = byName(CONVERTER_ENTRIES, name);
    return entry !== undefined && 'load' in entry ? entry.load() : entry;
  }

  transform(name: string): TransformationPlugin | undefined {
    return byName(TRANSFORMS, name);
  }

  predicate(name: string): PredicatePlugin | undefined {
    return byName(PREDICATES, name);
  }

  /** `GET /connector-plugins` (`connectorsOnly=false` adds the others). */
  list(connectorsOnly: boolean): PluginInfo[] {
    const out: PluginInfo[] = this.connectors
      .map((p): PluginInfo => ({ class: p.className, type: p.type, version: p.version }))
      .sort((a, b) => a.class.localeCompare(b.class));
    if (connectorsOnly) return out;
    out.push(
      ...CONVERTER_ENTRIES.map(
        (p): PluginInfo => ({ class: p.className, type: 'converter', version: RUNTIME_VERSION }),
      ),
    );
    out.push(
      ...TRANSFORMS.map(
        (p): PluginInfo => ({ class: p.className, type: 'transformation', version: RUNTIME_VERSION }),
      ),
    );
    out.push(
      ...PREDICATES.map(
        (p): PluginInfo => ({ class: p.className, type: 'predicate', version: RUNTIME_VERSION }),
      ),
    );
    return out;
  }

  unknownConnectorMessage(name: string): string {
    return `Failed to find any class that implements Connector and which name matches ${name}, available connectors are: ${this.connectors
      .map(
        (p) =>
          `PluginDesc{klass=class ${p.className}, name='${p.className}', version='${p.version}', type=${p.type}, typeName='${p.type}', location='builtin'}`,
      )
      .join(', ')}`;
  }
}
