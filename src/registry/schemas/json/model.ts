/**
 * JSON Schema documents as typed nodes, shaped the way Confluent's compatibility rules see them
 * (after the everit loader it uses): `{}`/`true` is the empty schema, `false` the false schema, a
 * `type` array an `anyOf` of one schema per type, `allOf`/`anyOf`/`oneOf` combined schemas (with
 * the node's own type keywords as one more `allOf` member when both are present), `enum`/`const`,
 * `not`, and `$ref`s resolved lazily (local JSON pointers, and the names of referenced schemas).
 * Objects keep their content model: properties, `required`, `additionalProperties` (true, false or a
 * schema), `patternProperties` and dependencies; arrays their `items` (one schema or a tuple) and
 * `additionalItems`. Validation itself is ajv's business (see ./index.ts).
 */
import { InvalidSchemaError } from '../parsed-schema.ts';

interface Common {
  id?: string;
  title?: string;
  description?: string;
  hasDefault: boolean;
  default?: unknown;
  /** Keywords this model does not interpret, for `connect.type` and friends. */
  raw: Record<string, unknown>;
}

export type JsonNode = Common &
  (
    | { kind: 'empty' }
    | { kind: 'false' }
    | { kind: 'boolean' }
    | { kind: 'null' }
    | { kind: 'string'; minLength?: number; maxLength?: number; pattern?: string }
    | {
        kind: 'number';
        integer: boolean;
        minimum?: number;
        maximum?: number;
        exclusiveMinimum?: number;
        exclusiveMaximum?: number;
        multipleOf?: number;
      }
    | {
        kind: 'object';
        properties: Map<string, JsonNode>;
        required: Set<string>;
        /** false: closed; a schema: partially open. */
        additionalProperties: boolean;
        additionalSchema: JsonNode | null;
        patternProperties: [RegExp, JsonNode][];
        minProperties?: number;
        maxProperties?: number;
        propertyDependencies: Map<string, Set<string>>;
        schemaDependencies: Map<string, JsonNode>;
      }
    | {
        kind: 'array';
        allItems: JsonNode | null;
        itemSchemas: JsonNode[] | null;
        additionalItems: boolean;
        additionalItemsSchema: JsonNode | null;
        minItems?: number;
        maxItems?: number;
        uniqueItems: boolean;
      }
    | { kind: 'enum'; values: unknown[] }
    | { kind: 'const'; value: unknown }
    | { kind: 'combined'; criterion: 'allOf' | 'anyOf' | 'oneOf'; subschemas: JsonNode[] }
    | { kind: 'not'; schema: JsonNode }
    | { kind: 'ref'; ref: string; resolve: () => JsonNode }
  );

type Json = Record<string, unknown>;

const STRING_KEYS = ['minLength', 'maxLength', 'pattern', 'format'];
const NUMBER_KEYS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
const OBJECT_KEYS = [
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'minProperties',
  'maxProperties',
  'dependencies',
  'dependentRequired',
  'dependentSchemas',
  'propertyNames',
];
const ARRAY_KEYS = [
  'items',
  'prefixItems',
  'additionalItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'contains',
];

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function unescapePointer(segment: string): string {
  return decodeURIComponent(segment).replaceAll('~1', '/').replaceAll('~0', '~');
}

/** Loads nodes from one document; `external` resolves the names of referenced documents. */
export class JsonSchemaLoader {
  private readonly root: unknown;
  private readonly external: (name: string) => JsonSchemaLoader | undefined;
  private readonly cache = new Map<unknown, JsonNode>();

  constructor(root: unknown, external: (name: string) => JsonSchemaLoader | undefined = () => undefined) {
    this.root = root;
    this.external = external;
  }

  load(): JsonNode {
    return this.node(this.root);
  }

  private pointer(pointer: string): unknown {
    let at: unknown = this.root;
    for (const raw of pointer.split('/').filter((s) => s !== '')) {
      const key = unescapePointer(raw);
      if (at === null || typeof at !== 'object') return undefined;
      at = (at as Json)[key];
    }
    return at;
  }

  private resolveRef(ref: string): JsonNode {
    const hash = ref.indexOf('#');
    const doc = hash >= 0 ? ref.slice(0, hash) : ref;
    const fragment = hash >= 0 ? ref.slice(hash + 1) : '';
    const loader = doc === '' ? this : this.external(doc);
    if (!loader) throw new InvalidSchemaError(`Cannot resolve $ref "${ref}": no such reference`);
    const target = fragment === '' ? loader.root : loader.pointer(fragment);
    if (target === undefined) throw new InvalidSchemaError(`Cannot resolve $ref "${ref}"`);
    return loader.node(target);
  }

  node(json: unknown): JsonNode {
    const cached = this.cache.get(json);
    if (cached && typeof json === 'object') return cached;
    if (json === true) return { kind: 'empty', hasDefault: false, raw: {} };
    if (json === false) return { kind: 'false', hasDefault: false, raw: {} };
    if (json === null || typeof json !== 'object' || Array.isArray(json))
      throw new InvalidSchemaError(`A schema must be an object or a boolean, not ${JSON.stringify(json)}`);
    const obj = json as Json;
    const common: Common = {
      ...(typeof obj.$id === 'string' ? { id: obj.$id } : typeof obj.id === 'string' ? { id: obj.id } : {}),
      ...(typeof obj.title === 'string' ? { title: obj.title } : {}),
      ...(typeof obj.description === 'string' ? { description: obj.description } : {}),
      hasDefault: 'default' in obj,
      ...('default' in obj ? { default: obj.default } : {}),
      raw: obj,
    };
    if (typeof obj.$ref === 'string') {
      const ref = obj.$ref;
      let resolved: JsonNode | undefined;
      const node: JsonNode = {
        ...common,
        kind: 'ref',
        ref,
        resolve: () => {
          resolved ??= this.resolveRef(ref);
          return resolved;
        },
      };
      this.cache.set(json, node);
      return node;
    }
    // A placeholder for cycles through $ref back to this object.
    const node = this.build(obj, common);
    this.cache.set(json, node);
    return node;
  }

  private build(obj: Json, common: Common): JsonNode {
    const combined = (['allOf', 'anyOf', 'oneOf'] as const).filter((k) => Array.isArray(obj[k]));
    const types = this.typeNodes(obj, common);
    const parts: JsonNode[] = combined.map((criterion) => ({
      ...common,
      kind: 'combined',
      criterion,
      subschemas: (obj[criterion] as unknown[]).map((s) => this.node(s)),
    }));
    if (obj.not !== undefined) parts.push({ ...common, kind: 'not', schema: this.node(obj.not) });
    if (types) parts.unshift(types);
    if (parts.length === 0) return { ...common, kind: 'empty' };
    if (parts.length === 1) return parts[0]!;
    return { ...common, kind: 'combined', criterion: 'allOf', subschemas: parts };
  }

  /** The node for the object's type keywords, or null when it has none. */
  private typeNodes(obj: Json, common: Common): JsonNode | null {
    if ('enum' in obj) {
      if (!Array.isArray(obj.enum)) throw new InvalidSchemaError('"enum" must be an array');
      return { ...common, kind: 'enum', values: obj.enum };
    }
    if ('const' in obj) return { ...common, kind: 'const', value: obj.const };
    const type = obj.type;
    if (Array.isArray(type)) {
      return {
        ...common,
        kind: 'combined',
        criterion: 'anyOf',
        subschemas: type.map((t) => this.typed(String(t), obj, { hasDefault: false, raw: obj })),
      };
    }
    if (typeof type === 'string') return this.typed(type, obj, common);
    if (type !== undefined) throw new InvalidSchemaError(`"type" must be a string or an array`);
    const has = (keys: string[]) => keys.some((k) => k in obj);
    const inferred = [
      has(OBJECT_KEYS) ? 'object' : null,
      has(ARRAY_KEYS) ? 'array' : null,
      has(STRING_KEYS) ? 'string' : null,
      has(NUMBER_KEYS) ? 'number' : null,
    ].filter((t): t is string => t !== null);
    if (inferred.length === 0) return null;
    if (inferred.length === 1) return this.typed(inferred[0]!, obj, common);
    return {
      ...common,
      kind: 'combined',
      criterion: 'anyOf',
      subschemas: inferred.map((t) => this.typed(t, obj, { hasDefault: false, raw: obj })),
    };
  }

  private typed(type: string, obj: Json, common: Common): JsonNode {
    switch (type) {
      case 'string':
        return {
          ...common,
          kind: 'string',
          ...(num(obj.minLength) === undefined ? {} : { minLength: num(obj.minLength)! }),
          ...(num(obj.maxLength) === undefined ? {} : { maxLength: num(obj.maxLength)! }),
          ...(typeof obj.pattern === 'string' ? { pattern: obj.pattern } : {}),
        };
      case 'integer':
      case 'number': {
        // Draft 4 writes exclusive bounds as booleans beside minimum/maximum.
        const exMax =
          obj.exclusiveMaximum === true ? num(obj.maximum) : (num(obj.exclusiveMaximum) ?? undefined);
        const exMin =
          obj.exclusiveMinimum === true ? num(obj.minimum) : (num(obj.exclusiveMinimum) ?? undefined);
        return {
          ...common,
          kind: 'number',
          integer: type === 'integer',
          ...(obj.exclusiveMinimum !== true && num(obj.minimum) !== undefined
            ? { minimum: num(obj.minimum)! }
            : {}),
          ...(obj.exclusiveMaximum !== true && num(obj.maximum) !== undefined
            ? { maximum: num(obj.maximum)! }
            : {}),
          ...(exMin === undefined ? {} : { exclusiveMinimum: exMin }),
          ...(exMax === undefined ? {} : { exclusiveMaximum: exMax }),
          ...(num(obj.multipleOf) === undefined ? {} : { multipleOf: num(obj.multipleOf)! }),
        };
      }
      case 'boolean':
        return { ...common, kind: 'boolean' };
      case 'null':
        return { ...common, kind: 'null' };
      case 'object':
        return this.object(obj, common);
      case 'array':
        return this.array(obj, common);
      default:
        throw new InvalidSchemaError(`Unknown type "${type}"`);
    }
  }

  private object(obj: Json, common: Common): JsonNode {
    const properties = new Map<string, JsonNode>();
    if (obj.properties && typeof obj.properties === 'object')
      for (const [k, v] of Object.entries(obj.properties as Json)) properties.set(k, this.node(v));
    const additional = obj.additionalProperties;
    const patternProperties: [RegExp, JsonNode][] = [];
    if (obj.patternProperties && typeof obj.patternProperties === 'object') {
      for (const [k, v] of Object.entries(obj.patternProperties as Json)) {
        let pattern: RegExp;
        try {
          pattern = new RegExp(k, 'u');
        } catch {
          throw new InvalidSchemaError(`Invalid pattern in patternProperties: ${k}`);
        }
        patternProperties.push([pattern, this.node(v)]);
      }
    }
    const propertyDependencies = new Map<string, Set<string>>();
    const schemaDependencies = new Map<string, JsonNode>();
    const deps = {
      ...(obj.dependencies as Json | undefined),
      ...(obj.dependentRequired as Json | undefined),
    };
    for (const [k, v] of Object.entries(deps)) {
      if (Array.isArray(v)) propertyDependencies.set(k, new Set(v.map(String)));
      else schemaDependencies.set(k, this.node(v));
    }
    for (const [k, v] of Object.entries((obj.dependentSchemas as Json | undefined) ?? {}))
      schemaDependencies.set(k, this.node(v));
    let additionalSchema: JsonNode | null = null;
    if (additional !== undefined && typeof additional === 'object') {
      const node = this.node(additional);
      additionalSchema = node.kind === 'empty' ? null : node;
    }
    return {
      ...common,
      kind: 'object',
      properties,
      required: new Set(Array.isArray(obj.required) ? obj.required.map(String) : []),
      additionalProperties: additional !== false,
      additionalSchema,
      patternProperties,
      ...(num(obj.minProperties) === undefined ? {} : { minProperties: num(obj.minProperties)! }),
      ...(num(obj.maxProperties) === undefined ? {} : { maxProperties: num(obj.maxProperties)! }),
      propertyDependencies,
      schemaDependencies,
    };
  }

  private array(obj: Json, common: Common): JsonNode {
    // Draft 2020-12: prefixItems is the tuple and items the rest.
    const tuple = Array.isArray(obj.prefixItems)
      ? obj.prefixItems
      : Array.isArray(obj.items)
        ? obj.items
        : null;
    const rest = Array.isArray(obj.prefixItems) ? obj.items : obj.additionalItems;
    const allItems =
      tuple === null && obj.items !== undefined && !Array.isArray(obj.items) ? this.node(obj.items) : null;
    let additionalItemsSchema: JsonNode | null = null;
    if (tuple !== null && rest !== undefined && typeof rest === 'object') {
      const node = this.node(rest);
      additionalItemsSchema = node.kind === 'empty' ? null : node;
    }
    return {
      ...common,
      kind: 'array',
      allItems,
      itemSchemas: tuple === null ? null : tuple.map((s) => this.node(s)),
      additionalItems: rest !== false,
      additionalItemsSchema,
      ...(num(obj.minItems) === undefined ? {} : { minItems: num(obj.minItems)! }),
      ...(num(obj.maxItems) === undefined ? {} : { maxItems: num(obj.maxItems)! }),
      uniqueItems: obj.uniqueItems === true,
    };
  }
}
