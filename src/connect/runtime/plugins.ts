/**
 * The plugin registry: connector plugins (the built-in list in src/connectors/index.ts plus any
 * given at start), converters, transforms and predicates, found by class name or alias.
 */
import { CONNECTORS } from '../../connectors/index.ts';
import type {
  ConnectorPlugin,
  ConverterPlugin,
  PredicatePlugin,
  TransformationPlugin,
} from '../api/index.ts';
import { CONVERTERS } from '../converters/index.ts';
import { PREDICATES, TRANSFORMS } from '../transforms/index.ts';

export interface PluginInfo {
  class: string;
  type: 'source' | 'sink' | 'converter' | 'header_converter' | 'transformation' | 'predicate';
  version?: string;
}

export const RUNTIME_VERSION = '0.1.0';

function byName<T extends { className: string; aliases?: readonly string[] }>(
  list: readonly T[],
  name: string,
): T | undefined {
  return list.find((p) => p.className === name || p.aliases?.includes(name));
}

export class Plugins {
  readonly connectors: readonly ConnectorPlugin[];

  constructor(extra: readonly ConnectorPlugin[] = []) {
    this.connectors = [...CONNECTORS, ...extra];
  }

  connector(name: string): ConnectorPlugin | undefined {
    // Kafka also accepts the simple class name and the name without "Connector".
    return (
      byName(this.connectors, name) ??
      this.connectors.find((p) => {
        const simple = p.className.split('.').at(-1)!;
        return simple === name || simple.replace(/Connector$/, '') === name;
      })
    );
  }

  converter(name: string): ConverterPlugin | undefined {
    return byName(CONVERTERS, name);
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
      ...CONVERTERS.map(
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
