/**
 * The single message transforms and predicates the runtime knows, by class name, and the chain a
 * connector's `transforms` / `predicates` config builds: each transform configured with its
 * `transforms.<alias>.` keys, optionally gated by `transforms.<alias>.predicate` (and `negate`).
 */
import type {
  ConnectConfig,
  ConnectRecord,
  Predicate,
  PredicatePlugin,
  Transformation,
  TransformationPlugin,
} from '../api/index.ts';
import { extractFieldPlugins } from './extract-field.ts';
import { extractNewRecordStatePlugin } from './extract-new-record-state.ts';
import { filterPlugin, PREDICATES } from './filter.ts';
import { headerFromPlugins } from './header-from.ts';
import { insertFieldPlugins } from './insert-field.ts';
import { replaceFieldPlugins } from './replace-field.ts';
import { regexRouterPlugin, timestampRouterPlugin } from './routers.ts';
import { valueToKeyPlugin } from './value-to-key.ts';

export const TRANSFORMS: readonly TransformationPlugin[] = [
  ...insertFieldPlugins,
  ...replaceFieldPlugins,
  ...extractFieldPlugins,
  valueToKeyPlugin,
  regexRouterPlugin,
  timestampRouterPlugin,
  filterPlugin,
  ...headerFromPlugins,
  extractNewRecordStatePlugin,
];

export { PREDICATES };

export interface ChainStep {
  readonly alias: string;
  readonly transform: Transformation;
  readonly predicate: Predicate | null;
  readonly negate: boolean;
}

/** Keys of `config` under `prefix`, with the prefix removed. */
export function subConfig(config: ConnectConfig, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

function aliases(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function find<T extends { className: string; aliases?: readonly string[] }>(
  list: readonly T[],
  name: string,
): T | undefined {
  return list.find((p) => p.className === name || p.aliases?.includes(name));
}

/** Errors in the `transforms`/`predicates` part of a connector config: config key → messages. */
export function validateTransforms(config: ConnectConfig): Map<string, string[]> {
  const errors = new Map<string, string[]>();
  try {
    buildChain(config);
  } catch (err) {
    const e = err as Error & { key?: string };
    errors.set(e.key ?? 'transforms', [e.message]);
  }
  return errors;
}

function keyed(key: string, message: string): Error {
  return Object.assign(new Error(message), { key });
}

/** Builds the configured chain; throws (with the offending config key) when something is wrong. */
export function buildChain(config: ConnectConfig): ChainStep[] {
  const predicates = new Map<string, Predicate>();
  for (const alias of aliases(config.predicates)) {
    const typeKey = `predicates.${alias}.type`;
    const className = config[typeKey];
    if (!className)
      throw keyed(typeKey, `Missing required configuration "${typeKey}" which has no default value.`);
    const plugin: PredicatePlugin | undefined = find(PREDICATES, className);
    if (!plugin)
      throw keyed(
        typeKey,
        `Invalid value ${className} for configuration ${typeKey}: Class ${className} could not be found.`,
      );
    const predicate = plugin.create();
    try {
      predicate.configure(subConfig(config, `predicates.${alias}.`));
    } catch (err) {
      throw keyed(typeKey, (err as Error).message);
    }
    predicates.set(alias, predicate);
  }
  return aliases(config.transforms).map((alias) => {
    const typeKey = `transforms.${alias}.type`;
    const className = config[typeKey];
    if (!className)
      throw keyed(typeKey, `Missing required configuration "${typeKey}" which has no default value.`);
    const plugin = find(TRANSFORMS, className);
    if (!plugin)
      throw keyed(
        typeKey,
        `Invalid value ${className} for configuration ${typeKey}: Class ${className} could not be found.`,
      );
    const own = subConfig(config, `transforms.${alias}.`);
    const transform = plugin.create();
    try {
      transform.configure(own);
    } catch (err) {
      throw keyed(typeKey, (err as Error).message);
    }
    let predicate: Predicate | null = null;
    if (own.predicate) {
      predicate = predicates.get(own.predicate) ?? null;
      if (!predicate) {
        throw keyed(
          `transforms.${alias}.predicate`,
          `Invalid value ${own.predicate} for configuration transforms.${alias}.predicate: Not a valid predicate alias`,
        );
      }
    }
    return { alias, transform, predicate, negate: own.negate === 'true' };
  });
}

/** Runs the chain; null when a transform dropped the record. */
export function applyChain<R extends ConnectRecord>(chain: readonly ChainStep[], record: R): R | null {
  let current: R | null = record;
  for (const step of chain) {
    if (current === null) return null;
    if (step.predicate && step.predicate.test(current) === step.negate) continue;
    current = step.transform.apply(current) as R | null;
  }
  return current;
}
