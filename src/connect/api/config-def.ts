/**
 * Connector configuration definitions, after Kafka's `ConfigDef`: each key has a type, a default (or
 * none: required), importance, documentation and an optional validator. `parseConfig` turns the
 * string map a user sent (Connect configs are strings on the wire) into typed values plus per-key
 * errors; the runtime uses the same definitions for `PUT /connector-plugins/{p}/config/validate`,
 * whose answer lists every key with its definition and errors.
 *
 * Not implemented: Kafka's `recommender` (recommended values are static lists here) and `dependents`.
 */

export type ConfigType =
  | 'STRING'
  | 'INT'
  | 'SHORT'
  | 'LONG'
  | 'DOUBLE'
  | 'BOOLEAN'
  | 'LIST'
  | 'CLASS'
  | 'PASSWORD';
export type Importance = 'HIGH' | 'MEDIUM' | 'LOW';
export type Width = 'NONE' | 'SHORT' | 'MEDIUM' | 'LONG';

/** A typed config value: strings (STRING, CLASS, PASSWORD), numbers, booleans or string lists. */
export type ConfigValue = string | number | boolean | readonly string[] | null;

export interface ConfigKey {
  readonly name: string;
  readonly type: ConfigType;
  /** Absent: the key is required. `null`: optional with no value. */
  readonly default?: ConfigValue;
  readonly importance: Importance;
  readonly documentation: string;
  readonly group?: string;
  readonly orderInGroup?: number;
  readonly width?: Width;
  readonly displayName?: string;
  /** Values shown as recommended (and, when `strict`, the only ones accepted). */
  readonly recommendedValues?: readonly string[];
  /** With recommendedValues: reject anything else (case-insensitive). */
  readonly strict?: boolean;
  /** Extra check on the parsed value; returns an error message or null. */
  readonly validate?: (value: ConfigValue, all: Readonly<Record<string, string>>) => string | null;
}

export type ConfigDef = readonly ConfigKey[];

export interface ParsedConfig {
  /** Every defined key's typed value (defaults filled in). */
  readonly values: Readonly<Record<string, ConfigValue>>;
  /** key → error messages, only for keys with errors. */
  readonly errors: ReadonlyMap<string, readonly string[]>;
  /** The user's raw strings, including keys the definition does not know. */
  readonly originals: Readonly<Record<string, string>>;
}

/** Parses one raw string as `type`; throws an Error with Kafka's wording on a bad value. */
export function parseConfigValue(key: ConfigKey, raw: string): ConfigValue {
  const text = raw.trim();
  switch (key.type) {
    case 'STRING':
    case 'CLASS':
      return text;
    case 'PASSWORD':
      return raw;
    case 'BOOLEAN':
      if (/^true$/i.test(text)) return true;
      if (/^false$/i.test(text)) return false;
      throw new Error(
        `Invalid value ${raw} for configuration ${key.name}: Expected value to be either true or false`,
      );
    case 'INT':
    case 'SHORT':
    case 'LONG': {
      if (!/^[-+]?\d+$/.test(text)) {
        throw new Error(
          `Invalid value ${raw} for configuration ${key.name}: Not a number of type ${key.type}`,
        );
      }
      const n = Number(text);
      const limit = key.type === 'INT' ? 2 ** 31 : key.type === 'SHORT' ? 2 ** 15 : 2 ** 63;
      if (n < -limit || n >= limit || !Number.isSafeInteger(n)) {
        throw new Error(
          `Invalid value ${raw} for configuration ${key.name}: Not a number of type ${key.type}`,
        );
      }
      return n;
    }
    case 'DOUBLE': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) {
        throw new Error(`Invalid value ${raw} for configuration ${key.name}: Not a number of type DOUBLE`);
      }
      return n;
    }
    case 'LIST':
      return text === '' ? [] : text.split(',').map((s) => s.trim());
  }
}

/** Parses `raw` against `def`: typed values, defaults, required keys, validators. */
export function parseConfig(def: ConfigDef, raw: Readonly<Record<string, string>>): ParsedConfig {
  const values: Record<string, ConfigValue> = {};
  const errors = new Map<string, string[]>();
  const fail = (name: string, message: string): void => {
    const list = errors.get(name) ?? [];
    list.push(message);
    errors.set(name, list);
  };
  for (const key of def) {
    const given = raw[key.name];
    if (given === undefined) {
      if (key.default === undefined) {
        fail(key.name, `Missing required configuration "${key.name}" which has no default value.`);
        values[key.name] = null;
      } else {
        values[key.name] = key.default;
      }
      continue;
    }
    let value: ConfigValue;
    try {
      value = parseConfigValue(key, given);
    } catch (err) {
      fail(key.name, (err as Error).message);
      values[key.name] = null;
      continue;
    }
    if (key.strict && key.recommendedValues && typeof value === 'string') {
      const text = value.toLowerCase();
      const match = key.recommendedValues.find((v) => v.toLowerCase() === text);
      if (match === undefined) {
        fail(
          key.name,
          `Invalid value ${given} for configuration ${key.name}: String must be one of: ${key.recommendedValues.join(', ')}`,
        );
      } else {
        value = match;
      }
    }
    const problem = key.validate?.(value, raw) ?? null;
    if (problem !== null) fail(key.name, `Invalid value ${given} for configuration ${key.name}: ${problem}`);
    values[key.name] = value;
  }
  return { values, errors, originals: { ...raw } };
}

/** Typed accessors over parsed values, for connector code. Throw when a key has the wrong type. */
export class ConnectorConfig {
  readonly parsed: ParsedConfig;

  constructor(def: ConfigDef, raw: Readonly<Record<string, string>>) {
    this.parsed = parseConfig(def, raw);
  }

  get errors(): ReadonlyMap<string, readonly string[]> {
    return this.parsed.errors;
  }

  /** Throws one Error listing every problem, Kafka Connect's style. */
  assertValid(): this {
    if (this.parsed.errors.size === 0) return this;
    const lines = [...this.parsed.errors].flatMap(([, messages]) => messages);
    throw new Error(
      `Connector configuration is invalid and contains the following ${lines.length} error(s):\n${lines.join('\n')}`,
    );
  }

  string(name: string): string {
    const v = this.parsed.values[name];
    if (typeof v !== 'string') throw new Error(`config ${name} is not a string`);
    return v;
  }

  optionalString(name: string): string | null {
    const v = this.parsed.values[name];
    if (v === null || v === undefined || v === '') return null;
    if (typeof v !== 'string') throw new Error(`config ${name} is not a string`);
    return v;
  }

  number(name: string): number {
    const v = this.parsed.values[name];
    if (typeof v !== 'number') throw new Error(`config ${name} is not a number`);
    return v;
  }

  boolean(name: string): boolean {
    const v = this.parsed.values[name];
    if (typeof v !== 'boolean') throw new Error(`config ${name} is not a boolean`);
    return v;
  }

  list(name: string): readonly string[] {
    const v = this.parsed.values[name];
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) throw new Error(`config ${name} is not a list`);
    return v;
  }

  /** Raw strings of every key starting with `prefix`, with the prefix removed. */
  withPrefix(prefix: string): Record<string, string> {
    return Object.fromEntries(
      Object.entries(this.parsed.originals)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    );
  }
}
