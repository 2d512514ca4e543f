/**
 * Avro schemas as a typed tree, parsed from their JSON form with the rules of the Avro
 * specification and the Java implementation Confluent uses: name and namespace resolution (a dotted
 * name is a full name, otherwise the enclosing namespace applies), name validation, no redefinition,
 * unions without nested unions or duplicate branches, enum symbols and defaults, field defaults that
 * match their type (for unions: the first branch), and custom properties kept in the order given.
 * Named types are shared objects, so recursive schemas are cyclic graphs.
 *
 * Types named by references (other subjects' schemas) are parsed first into the same name table.
 * Logical types are properties here; they do not change resolution.
 */
import { InvalidSchemaError } from '../parsed-schema.ts';

export const PRIMITIVES = ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'] as const;
export type Primitive = (typeof PRIMITIVES)[number];

export type Props = [string, unknown][];

export interface PrimitiveSchema {
  kind: 'primitive';
  type: Primitive;
  props: Props;
}

interface NamedBase {
  /** Short name. */
  name: string;
  /** Namespace, or null for the null namespace. */
  namespace: string | null;
  fullName: string;
  /** Full names. */
  aliases: string[];
  doc?: string;
  props: Props;
}

export interface RecordSchema extends NamedBase {
  kind: 'record';
  error: boolean;
  fields: Field[];
}

export interface EnumSchema extends NamedBase {
  kind: 'enum';
  symbols: string[];
  default?: string;
}

export interface FixedSchema extends NamedBase {
  kind: 'fixed';
  size: number;
}

export interface ArraySchema {
  kind: 'array';
  items: AvroSchema;
  props: Props;
}

export interface MapSchema {
  kind: 'map';
  values: AvroSchema;
  props: Props;
}

export interface UnionSchema {
  kind: 'union';
  types: AvroSchema[];
}

export type NamedSchema = RecordSchema | EnumSchema | FixedSchema;
export type AvroSchema = PrimitiveSchema | NamedSchema | ArraySchema | MapSchema | UnionSchema;

export type FieldOrder = 'ascending' | 'descending' | 'ignore';

export interface Field {
  name: string;
  type: AvroSchema;
  doc?: string;
  hasDefault: boolean;
  default?: unknown;
  order: FieldOrder;
  aliases: string[];
  props: Props;
}

const SCHEMA_RESERVED = new Set([
  'doc',
  'fields',
  'items',
  'name',
  'namespace',
  'size',
  'symbols',
  'values',
  'type',
  'aliases',
  'default',
]);
const FIELD_RESERVED = new Set(['default', 'doc', 'name', 'order', 'type', 'aliases']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Full name → named schema; shared between the schemas of one parse (references first). */
export type Names = Map<string, NamedSchema>;

function fail(message: string): never {
  throw new InvalidSchemaError(message);
}

function text(value: unknown): string {
  return JSON.stringify(value);
}

function validateName(name: string): void {
  if (name.length === 0) fail('Empty name');
  if (!/^[A-Za-z_]/.test(name)) fail(`Illegal initial character: ${name}`);
  if (!NAME.test(name)) fail(`Illegal character in: ${name}`);
}

function validateNamespace(space: string): void {
  for (const part of space.split('.')) validateName(part);
}

function isPrimitive(name: string): name is Primitive {
  return (PRIMITIVES as readonly string[]).includes(name);
}

function props(json: Record<string, unknown>, reserved: Set<string>): Props {
  return Object.entries(json).filter(([k]) => !reserved.has(k));
}

/** Splits a possibly dotted name into short name and namespace (the enclosing one if not dotted). */
function qualify(name: string, space: string | null): { name: string; namespace: string | null } {
  const dot = name.lastIndexOf('.');
  if (dot >= 0) return { name: name.slice(dot + 1), namespace: name.slice(0, dot) || null };
  return { name, namespace: space };
}

function fullNameOf(name: string, namespace: string | null): string {
  return namespace ? `${namespace}.${name}` : name;
}

class Parser {
  readonly names: Names;

  constructor(names: Names) {
    this.names = names;
  }

  parse(json: unknown, space: string | null): AvroSchema {
    if (typeof json === 'string') return this.byName(json, space);
    if (Array.isArray(json)) return this.union(json, space);
    if (json !== null && typeof json === 'object') return this.object(json as Record<string, unknown>, space);
    return fail(`Schema must be a string, an object or an array, not ${text(json)}`);
  }

  private byName(name: string, space: string | null): AvroSchema {
    if (isPrimitive(name)) return { kind: 'primitive', type: name, props: [] };
    const { name: short, namespace } = qualify(name, space);
    const found =
      this.names.get(fullNameOf(short, namespace)) ?? (name.includes('.') ? undefined : this.names.get(name));
    if (!found) {
      return fail(
        `"${name}" is not a defined name. The type of the "${name}" field must be a defined name or a {"type": ...} expression.`,
      );
    }
    return found;
  }

  private union(json: unknown[], space: string | null): UnionSchema {
    const types = json.map((t) => this.parse(t, space));
    const seen = new Set<string>();
    for (const t of types) {
      if (t.kind === 'union') fail(`Nested union: ${text(json)}`);
      const key = t.kind === 'record' || t.kind === 'enum' || t.kind === 'fixed' ? t.fullName : typeName(t);
      if (seen.has(key)) fail(`Duplicate in union:${key}`);
      seen.add(key);
    }
    return { kind: 'union', types };
  }

  private object(json: Record<string, unknown>, space: string | null): AvroSchema {
    const type = json.type;
    if (type === undefined) fail(`No type: ${text(json)}`);
    if (typeof type !== 'string') return this.parse(type, space);
    if (isPrimitive(type)) return { kind: 'primitive', type, props: props(json, SCHEMA_RESERVED) };
    switch (type) {
      case 'record':
      case 'error':
        return this.record(json, space, type === 'error');
      case 'enum':
        return this.enumeration(json, space);
      case 'fixed':
        return this.fixed(json, space);
      case 'array':
        if (json.items === undefined) fail(`Array has no items type: ${text(json)}`);
        return { kind: 'array', items: this.parse(json.items, space), props: props(json, SCHEMA_RESERVED) };
      case 'map':
        if (json.values === undefined) fail(`Map has no values type: ${text(json)}`);
        return { kind: 'map', values: this.parse(json.values, space), props: props(json, SCHEMA_RESERVED) };
      default:
        return this.byName(type, space);
    }
  }

  private named(json: Record<string, unknown>, space: string | null, what: string) {
    const rawName = json.name;
    if (typeof rawName !== 'string') fail(`No name in schema: ${text(json)}`);
    const rawSpace = json.namespace;
    if (rawSpace !== undefined && rawSpace !== null && typeof rawSpace !== 'string')
      fail(`Namespace must be a string in ${what}: ${text(json)}`);
    const enclosing = typeof rawSpace === 'string' ? rawSpace || null : space;
    const { name, namespace } = qualify(rawName, enclosing);
    validateName(name);
    if (namespace) validateNamespace(namespace);
    const fullName = fullNameOf(name, namespace);
    if (isPrimitive(fullName)) fail(`Schemas may not be named after primitives: ${fullName}`);
    if (this.names.has(fullName)) fail(`Can't redefine: ${fullName}`);
    const doc = typeof json.doc === 'string' ? json.doc : undefined;
    return {
      name,
      namespace,
      fullName,
      aliases: aliases(json.aliases, namespace),
      ...(doc === undefined ? {} : { doc }),
      props: props(json, SCHEMA_RESERVED),
    };
  }

  private record(json: Record<string, unknown>, space: string | null, error: boolean): RecordSchema {
    const base = this.named(json, space, 'record');
    const fieldsJson = json.fields;
    if (!Array.isArray(fieldsJson)) fail(`Record has no fields: ${text(json)}`);
    const record: RecordSchema = { kind: 'record', error, ...base, fields: [] };
    this.names.set(record.fullName, record);
    const seen = new Set<string>();
    for (const f of fieldsJson) {
      if (f === null || typeof f !== 'object' || Array.isArray(f))
        fail(`Field must be an object: ${text(f)}`);
      const field = f as Record<string, unknown>;
      if (typeof field.name !== 'string') fail(`No field name: ${text(field)}`);
      validateName(field.name);
      if (seen.has(field.name))
        fail(`Duplicate field ${field.name} in record ${record.fullName}: ${text(json)}`);
      seen.add(field.name);
      if (field.type === undefined) fail(`No field type: ${text(field)}`);
      const fieldType = this.parse(field.type, base.namespace);
      const order = field.order ?? 'ascending';
      if (order !== 'ascending' && order !== 'descending' && order !== 'ignore')
        fail(`Invalid field order: ${text(order)} in field ${field.name}`);
      const hasDefault = 'default' in field;
      if (hasDefault && !isValidDefault(fieldType, field.default)) {
        fail(`Invalid default for field ${field.name}: ${text(field.default)} not a ${describe(fieldType)}`);
      }
      const doc = typeof field.doc === 'string' ? field.doc : undefined;
      record.fields.push({
        name: field.name,
        type: fieldType,
        ...(doc === undefined ? {} : { doc }),
        hasDefault,
        ...(hasDefault ? { default: field.default } : {}),
        order,
        aliases: Array.isArray(field.aliases) ? field.aliases.map(String) : [],
        props: props(field, FIELD_RESERVED),
      });
    }
    return record;
  }

  private enumeration(json: Record<string, unknown>, space: string | null): EnumSchema {
    const base = this.named(json, space, 'enum');
    const symbols = json.symbols;
    if (!Array.isArray(symbols)) fail(`Enum has no symbols: ${text(json)}`);
    const seen = new Set<string>();
    for (const s of symbols) {
      if (typeof s !== 'string') fail(`Enum symbols must be strings: ${text(json)}`);
      validateName(s);
      if (seen.has(s)) fail(`Duplicate enum symbol: ${s}`);
      seen.add(s);
    }
    const def = json.default;
    if (def !== undefined && (typeof def !== 'string' || !seen.has(def)))
      fail(`The Enum Default: ${text(def)} is not in the enum symbol set: ${text(symbols)}`);
    const schema: EnumSchema = {
      kind: 'enum',
      ...base,
      symbols: symbols as string[],
      ...(def === undefined ? {} : { default: def as string }),
    };
    this.names.set(schema.fullName, schema);
    return schema;
  }

  private fixed(json: Record<string, unknown>, space: string | null): FixedSchema {
    const base = this.named(json, space, 'fixed');
    const size = json.size;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0)
      fail(`Invalid or no size: ${text(json)}`);
    const schema: FixedSchema = { kind: 'fixed', ...base, size };
    this.names.set(schema.fullName, schema);
    return schema;
  }
}

function aliases(value: unknown, namespace: string | null): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((a) => {
    const q = qualify(String(a), namespace);
    return fullNameOf(q.name, q.namespace);
  });
}

/** Java's upper-case type names (`RECORD`, `INT`), as compatibility messages print them. */
export function typeName(schema: AvroSchema): string {
  return schema.kind === 'primitive' ? schema.type : schema.kind;
}

function describe(schema: AvroSchema): string {
  if (schema.kind === 'record' || schema.kind === 'enum' || schema.kind === 'fixed') return schema.fullName;
  return typeName(schema);
}

/** Whether a JSON default value fits a schema (unions: the first branch, per the specification). */
export function isValidDefault(schema: AvroSchema, value: unknown): boolean {
  switch (schema.kind) {
    case 'primitive':
      switch (schema.type) {
        case 'null':
          return value === null;
        case 'boolean':
          return typeof value === 'boolean';
        case 'int':
          return (
            typeof value === 'number' && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31
          );
        case 'long':
          return typeof value === 'number' && Number.isInteger(value);
        case 'float':
        case 'double':
          return (
            typeof value === 'number' || value === 'NaN' || value === 'Infinity' || value === '-Infinity'
          );
        case 'bytes':
        case 'string':
          return typeof value === 'string';
      }
      return false;
    case 'enum':
      return typeof value === 'string' && schema.symbols.includes(value);
    case 'fixed':
      return typeof value === 'string' && value.length === schema.size;
    case 'array':
      return Array.isArray(value) && value.every((v) => isValidDefault(schema.items, v));
    case 'map':
      return (
        value !== null &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        Object.values(value).every((v) => isValidDefault(schema.values, v))
      );
    case 'record':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
      return schema.fields.every((f) => {
        const v = (value as Record<string, unknown>)[f.name];
        return v === undefined ? f.hasDefault : isValidDefault(f.type, v);
      });
    case 'union':
      return schema.types[0] !== undefined && isValidDefault(schema.types[0], value);
  }
}

/**
 * Parses a schema's JSON text. `names` may already hold types defined by referenced schemas (parse
 * those first with `parseInto`); the result's own named types are added to it.
 */
export function parseAvro(text: string, names: Names = new Map()): AvroSchema {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidSchemaError(`Invalid schema: ${(err as Error).message}`);
  }
  return new Parser(names).parse(json, null);
}

export function isNamed(schema: AvroSchema): schema is NamedSchema {
  return schema.kind === 'record' || schema.kind === 'enum' || schema.kind === 'fixed';
}
