/**
 * Confluent's JSON Schema compatibility rules: a structural diff of the old schema (original)
 * against the new one (update), each difference typed as in Confluent's `Difference.Type` and
 * judged by its set of compatible changes. The content model decides what adding or removing a
 * property or tuple item means: an open model (additional properties allowed, no schema for them)
 * may lose properties but not gain constrained ones; a closed model (`additionalProperties: false`)
 * may gain optional ones but not lose them; a partially open one (`additionalProperties` or
 * `patternProperties` with a schema) is judged against that schema. Combined schemas are matched
 * member to member (a maximum matching of compatible pairs); `oneOf`/`anyOf` may grow, `allOf` may
 * shrink. A schema pair met again while being compared (recursion) counts as compatible.
 *
 * The diff answers backward compatibility (the update reads what the original wrote); the registry
 * swaps the arguments for forward.
 */
import type { JsonNode } from './model.ts';

export const COMPATIBLE_CHANGES = new Set([
  'ID_CHANGED',
  'DESCRIPTION_CHANGED',
  'TITLE_CHANGED',
  'DEFAULT_CHANGED',
  'SCHEMA_REMOVED',
  'TYPE_EXTENDED',
  'MAX_LENGTH_INCREASED',
  'MAX_LENGTH_REMOVED',
  'MIN_LENGTH_DECREASED',
  'MIN_LENGTH_REMOVED',
  'PATTERN_REMOVED',
  'MAXIMUM_INCREASED',
  'MAXIMUM_REMOVED',
  'MINIMUM_DECREASED',
  'MINIMUM_REMOVED',
  'EXCLUSIVE_MAXIMUM_INCREASED',
  'EXCLUSIVE_MAXIMUM_REMOVED',
  'EXCLUSIVE_MINIMUM_DECREASED',
  'EXCLUSIVE_MINIMUM_REMOVED',
  'MULTIPLE_OF_REDUCED',
  'MULTIPLE_OF_REMOVED',
  'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED',
  'REQUIRED_ATTRIBUTE_REMOVED',
  'DEPENDENCY_ARRAY_NARROWED',
  'DEPENDENCY_ARRAY_REMOVED',
  'DEPENDENCY_SCHEMA_REMOVED',
  'MAX_PROPERTIES_INCREASED',
  'MAX_PROPERTIES_REMOVED',
  'MIN_PROPERTIES_DECREASED',
  'MIN_PROPERTIES_REMOVED',
  'ADDITIONAL_PROPERTIES_ADDED',
  'ADDITIONAL_PROPERTIES_EXTENDED',
  'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL',
  'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL',
  'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
  'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL',
  'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'MAX_ITEMS_INCREASED',
  'MAX_ITEMS_REMOVED',
  'MIN_ITEMS_DECREASED',
  'MIN_ITEMS_REMOVED',
  'UNIQUE_ITEMS_REMOVED',
  'ADDITIONAL_ITEMS_ADDED',
  'ADDITIONAL_ITEMS_EXTENDED',
  'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL',
  'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL',
  'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL',
  'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'ENUM_ARRAY_EXTENDED',
  'COMBINED_TYPE_EXTENDED',
  'PRODUCT_TYPE_NARROWED',
  'SUM_TYPE_EXTENDED',
  'NOT_TYPE_NARROWED',
]);

export interface JsonDifference {
  type: string;
  path: string;
}

/** Identity numbers for nodes, so schema pairs can be keys (shared by a comparison's contexts). */
class NodeIds {
  private readonly ids = new WeakMap<object, number>();
  private next = 0;

  of(node: object): number {
    let id = this.ids.get(node);
    if (id === undefined) this.ids.set(node, (id = this.next++));
    return id;
  }
}

class Context {
  readonly path: string[];
  readonly diffs: JsonDifference[] = [];
  readonly inProgress: Set<string>;
  private readonly ids: NodeIds;

  constructor(path: string[] = [], inProgress = new Set<string>(), ids = new NodeIds()) {
    this.path = path;
    this.inProgress = inProgress;
    this.ids = ids;
  }

  sub(): Context {
    return new Context([...this.path], this.inProgress, this.ids);
  }

  pairKey(a: JsonNode, b: JsonNode): string {
    return `${this.ids.of(a)}:${this.ids.of(b)}`;
  }

  at<T>(segment: string, fn: () => T): T {
    this.path.push(segment);
    try {
      return fn();
    } finally {
      this.path.pop();
    }
  }

  add(type: string, attribute?: string): void {
    const path = attribute === undefined ? this.path : [...this.path, attribute];
    this.diffs.push({ type, path: `#/${path.join('/')}` });
  }

  addAll(diffs: readonly JsonDifference[]): void {
    this.diffs.push(...diffs);
  }

  compatible(): boolean {
    return this.diffs.every((d) => COMPATIBLE_CHANGES.has(d.type));
  }
}

function deref(node: JsonNode): JsonNode {
  let at = node;
  for (let i = 0; at.kind === 'ref' && i < 100; i++) at = at.resolve();
  return at;
}

function compareLimit(
  ctx: Context,
  attribute: string,
  original: number | undefined,
  update: number | undefined,
  prefix: string,
): void {
  if (original === update) return;
  if (original === undefined) ctx.add(`${prefix}_ADDED`, attribute);
  else if (update === undefined) ctx.add(`${prefix}_REMOVED`, attribute);
  else if (original < update) ctx.add(`${prefix}_INCREASED`, attribute);
  else ctx.add(`${prefix}_DECREASED`, attribute);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function compareJson(ctx: Context, original: JsonNode | null, update: JsonNode | null): void {
  if (original === null && update === null) return;
  if (original === null) {
    ctx.add('SCHEMA_ADDED');
    return;
  }
  if (update === null) {
    ctx.add('SCHEMA_REMOVED');
    return;
  }
  original = deref(original);
  update = deref(update);

  if (original.kind !== 'combined' && update.kind === 'combined') {
    if (update.subschemas.length === 1) {
      const sub = ctx.sub();
      compareJson(sub, original, update.subschemas[0]!);
      if (sub.compatible()) {
        ctx.addAll(sub.diffs);
        return;
      }
    } else if (update.criterion === 'anyOf' || update.criterion === 'oneOf') {
      for (const member of update.subschemas) {
        const sub = ctx.sub();
        compareJson(sub, original, member);
        if (sub.compatible()) {
          ctx.addAll(sub.diffs);
          ctx.add('SUM_TYPE_EXTENDED');
          return;
        }
      }
    }
  } else if (original.kind === 'combined' && update.kind !== 'combined') {
    if (original.subschemas.length === 1) {
      const sub = ctx.sub();
      compareJson(sub, original.subschemas[0]!, update);
      if (sub.compatible()) {
        ctx.addAll(sub.diffs);
        return;
      }
    }
    if (original.criterion === 'allOf') {
      for (const member of original.subschemas) {
        const sub = ctx.sub();
        compareJson(sub, member, update);
        if (sub.compatible()) {
          ctx.addAll(sub.diffs);
          ctx.add('PRODUCT_TYPE_NARROWED');
          return;
        }
      }
    }
  }

  if (original.kind !== update.kind) {
    if (original.kind === 'false' || update.kind === 'empty') return;
    const connect = (n: JsonNode) => n.raw['connect.type'];
    if (connect(original) === 'bytes' && connect(update) === 'bytes') return;
    ctx.add('TYPE_CHANGED');
    return;
  }

  const key = ctx.pairKey(original, update);
  if (ctx.inProgress.has(key)) return;
  ctx.inProgress.add(key);
  try {
    if (original.id !== update.id) ctx.add('ID_CHANGED');
    if (original.title !== update.title) ctx.add('TITLE_CHANGED');
    if (original.description !== update.description) ctx.add('DESCRIPTION_CHANGED');
    if (!jsonEqual(original.default, update.default)) ctx.add('DEFAULT_CHANGED');
    switch (original.kind) {
      case 'string':
        compareString(ctx, original, update as typeof original);
        return;
      case 'number':
        compareNumber(ctx, original, update as typeof original);
        return;
      case 'enum':
        compareEnum(ctx, original.values, (update as typeof original).values);
        return;
      case 'const':
        if (!jsonEqual(original.value, (update as typeof original).value)) ctx.add('ENUM_ARRAY_CHANGED');
        return;
      case 'combined':
        compareCombined(ctx, original, update as typeof original);
        return;
      case 'not': {
        const sub = ctx.sub();
        compareJson(sub, (update as typeof original).schema, original.schema);
        ctx.add(sub.compatible() ? 'NOT_TYPE_NARROWED' : 'NOT_TYPE_EXTENDED');
        return;
      }
      case 'object':
        compareObject(ctx, original, update as typeof original);
        return;
      case 'array':
        compareArray(ctx, original, update as typeof original);
        return;
      default:
        return;
    }
  } finally {
    ctx.inProgress.delete(key);
  }
}

type Of<K extends JsonNode['kind']> = Extract<JsonNode, { kind: K }>;

function compareString(ctx: Context, original: Of<'string'>, update: Of<'string'>): void {
  compareLimit(ctx, 'maxLength', original.maxLength, update.maxLength, 'MAX_LENGTH');
  compareLimit(ctx, 'minLength', original.minLength, update.minLength, 'MIN_LENGTH');
  if (original.pattern !== update.pattern) {
    if (original.pattern === undefined) ctx.add('PATTERN_ADDED', 'pattern');
    else if (update.pattern === undefined) ctx.add('PATTERN_REMOVED', 'pattern');
    else ctx.add('PATTERN_CHANGED', 'pattern');
  }
}

function compareNumber(ctx: Context, original: Of<'number'>, update: Of<'number'>): void {
  compareLimit(ctx, 'maximum', original.maximum, update.maximum, 'MAXIMUM');
  compareLimit(ctx, 'minimum', original.minimum, update.minimum, 'MINIMUM');
  compareLimit(
    ctx,
    'exclusiveMaximum',
    original.exclusiveMaximum,
    update.exclusiveMaximum,
    'EXCLUSIVE_MAXIMUM',
  );
  compareLimit(
    ctx,
    'exclusiveMinimum',
    original.exclusiveMinimum,
    update.exclusiveMinimum,
    'EXCLUSIVE_MINIMUM',
  );
  const a = original.multipleOf;
  const b = update.multipleOf;
  if (a !== b) {
    if (a === undefined) ctx.add('MULTIPLE_OF_ADDED', 'multipleOf');
    else if (b === undefined) ctx.add('MULTIPLE_OF_REMOVED', 'multipleOf');
    else if (b % a === 0) ctx.add('MULTIPLE_OF_EXPANDED', 'multipleOf');
    else if (a % b === 0) ctx.add('MULTIPLE_OF_REDUCED', 'multipleOf');
    else ctx.add('MULTIPLE_OF_CHANGED', 'multipleOf');
  }
  if (original.integer !== update.integer) ctx.add(original.integer ? 'TYPE_EXTENDED' : 'TYPE_NARROWED');
}

function compareEnum(ctx: Context, original: unknown[], update: unknown[]): void {
  const a = new Set(original.map((v) => JSON.stringify(v)));
  const b = new Set(update.map((v) => JSON.stringify(v)));
  if (a.size === b.size && [...a].every((v) => b.has(v))) return;
  if ([...a].every((v) => b.has(v))) ctx.add('ENUM_ARRAY_EXTENDED');
  else if ([...b].every((v) => a.has(v))) ctx.add('ENUM_ARRAY_NARROWED');
  else ctx.add('ENUM_ARRAY_CHANGED');
}

function compareCombined(ctx: Context, original: Of<'combined'>, update: Of<'combined'>): void {
  let criterionChange: string | null = null;
  if (original.criterion !== update.criterion) {
    if (update.criterion === 'anyOf') criterionChange = 'COMBINED_TYPE_EXTENDED';
    else if (update.criterion === 'oneOf')
      criterionChange = original.subschemas.length === 1 ? 'COMBINED_TYPE_EXTENDED' : 'COMBINED_TYPE_CHANGED';
    else
      criterionChange =
        original.subschemas.length === 1 && update.subschemas.length === 1
          ? 'COMBINED_TYPE_EXTENDED'
          : 'COMBINED_TYPE_CHANGED';
    ctx.add(criterionChange);
  }
  if (criterionChange === 'COMBINED_TYPE_CHANGED') return;
  const a = original.subschemas;
  const b = update.subschemas;
  if (a.length < b.length)
    ctx.add(update.criterion === 'allOf' ? 'PRODUCT_TYPE_EXTENDED' : 'SUM_TYPE_EXTENDED');
  else if (a.length > b.length)
    ctx.add(update.criterion === 'allOf' ? 'PRODUCT_TYPE_NARROWED' : 'SUM_TYPE_NARROWED');
  // Compatible pairs, then a maximum bipartite matching of original members to update members.
  const edges: JsonDifference[][][] = a.map(() => b.map(() => []));
  const ok: boolean[][] = a.map(() => b.map(() => false));
  a.forEach((orig, i) => {
    ctx.at(`${original.criterion}/${i}`, () => {
      b.forEach((upd, j) => {
        const sub = ctx.sub();
        compareJson(sub, orig, upd);
        if (sub.compatible()) {
          ok[i]![j] = true;
          edges[i]![j] = sub.diffs;
        }
      });
    });
  });
  const matchOfUpdate: number[] = b.map(() => -1);
  const tryMatch = (i: number, seen: boolean[]): boolean => {
    for (let j = 0; j < b.length; j++) {
      if (!ok[i]![j] || seen[j]) continue;
      seen[j] = true;
      if (matchOfUpdate[j] === -1 || tryMatch(matchOfUpdate[j]!, seen)) {
        matchOfUpdate[j] = i;
        return true;
      }
    }
    return false;
  };
  let matched = 0;
  for (let i = 0; i < a.length; i++)
    if (
      tryMatch(
        i,
        b.map(() => false),
      )
    )
      matched++;
  matchOfUpdate.forEach((i, j) => {
    if (i >= 0) ctx.addAll(edges[i]![j]!);
  });
  if (matched < Math.min(a.length, b.length)) ctx.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED');
}

function isOpenObject(node: Of<'object'>): boolean {
  return node.patternProperties.length === 0 && node.additionalSchema === null && node.additionalProperties;
}

function partialObjectSchema(node: Of<'object'>, property: string): JsonNode | null {
  for (const [pattern, schema] of node.patternProperties) if (pattern.test(property)) return schema;
  return node.additionalSchema;
}

function compareObject(ctx: Context, original: Of<'object'>, update: Of<'object'>): void {
  ctx.at('required', () => {
    for (const name of original.properties.keys()) {
      if (!update.properties.has(name)) continue;
      const was = original.required.has(name);
      const is = update.required.has(name);
      if (was && !is) ctx.add('REQUIRED_ATTRIBUTE_REMOVED', name);
      else if (!was && is)
        ctx.add(
          update.properties.get(name)!.hasDefault
            ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED'
            : 'REQUIRED_ATTRIBUTE_ADDED',
          name,
        );
    }
  });
  ctx.at('properties', () => {
    const names = new Set([...original.properties.keys(), ...update.properties.keys()]);
    for (const name of names) {
      ctx.at(name, () => {
        const before = original.properties.get(name);
        const after = update.properties.get(name);
        if (after === undefined) {
          if (isOpenObject(update)) {
            ctx.add('PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL');
            return;
          }
          const partial = partialObjectSchema(update, name);
          if (partial) {
            const sub = ctx.sub();
            compareJson(sub, before!, partial);
            ctx.addAll(sub.diffs);
            ctx.add(
              sub.compatible()
                ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
                : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
            );
            return;
          }
          ctx.add(
            deref(before!).kind === 'false'
              ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
              : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
          );
          return;
        }
        if (before === undefined) {
          if (isOpenObject(original)) {
            ctx.add(
              deref(after).kind === 'empty'
                ? 'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
                : 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
            );
            return;
          }
          const partial = partialObjectSchema(original, name);
          if (partial) {
            const sub = ctx.sub();
            compareJson(sub, partial, after);
            ctx.addAll(sub.diffs);
            ctx.add(
              sub.compatible()
                ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
                : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
            );
          }
          if (update.required.has(name)) {
            ctx.add(
              after.hasDefault
                ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL'
                : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
            );
            return;
          }
          ctx.add('OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
          return;
        }
        compareJson(ctx, before, after);
      });
    }
  });
  ctx.at('dependencies', () => {
    const keys = new Set([...original.propertyDependencies.keys(), ...update.propertyDependencies.keys()]);
    for (const key of keys) {
      ctx.at(key, () => {
        const a = original.propertyDependencies.get(key);
        const b = update.propertyDependencies.get(key);
        if (b === undefined) {
          ctx.add('DEPENDENCY_ARRAY_REMOVED');
          return;
        }
        if (a === undefined) {
          ctx.add('DEPENDENCY_ARRAY_ADDED');
          return;
        }
        const same = a.size === b.size && [...a].every((v) => b.has(v));
        if (same) return;
        if ([...a].every((v) => b.has(v))) ctx.add('DEPENDENCY_ARRAY_EXTENDED');
        else if ([...b].every((v) => a.has(v))) ctx.add('DEPENDENCY_ARRAY_NARROWED');
        else ctx.add('DEPENDENCY_ARRAY_CHANGED');
      });
    }
    const schemaKeys = new Set([...original.schemaDependencies.keys(), ...update.schemaDependencies.keys()]);
    for (const key of schemaKeys) {
      ctx.at(key, () => {
        const a = original.schemaDependencies.get(key);
        const b = update.schemaDependencies.get(key);
        if (b === undefined) {
          ctx.add('DEPENDENCY_SCHEMA_REMOVED');
          return;
        }
        if (a === undefined) {
          ctx.add('DEPENDENCY_SCHEMA_ADDED');
          return;
        }
        compareJson(ctx, a, b);
      });
    }
  });
  ctx.at('additionalProperties', () => {
    if (original.additionalProperties !== update.additionalProperties) {
      ctx.add(update.additionalProperties ? 'ADDITIONAL_PROPERTIES_ADDED' : 'ADDITIONAL_PROPERTIES_REMOVED');
    } else if (original.additionalSchema === null && update.additionalSchema !== null) {
      ctx.add('ADDITIONAL_PROPERTIES_NARROWED');
    } else if (update.additionalSchema === null && original.additionalSchema !== null) {
      ctx.add('ADDITIONAL_PROPERTIES_EXTENDED');
    } else compareJson(ctx, original.additionalSchema, update.additionalSchema);
  });
  compareLimit(ctx, 'maxProperties', original.maxProperties, update.maxProperties, 'MAX_PROPERTIES');
  compareLimit(ctx, 'minProperties', original.minProperties, update.minProperties, 'MIN_PROPERTIES');
}

function isOpenArray(node: Of<'array'>): boolean {
  return node.additionalItems && node.additionalItemsSchema === null;
}

function compareArray(ctx: Context, original: Of<'array'>, update: Of<'array'>): void {
  ctx.at('items', () => compareJson(ctx, original.allItems, update.allItems));
  const a = original.itemSchemas ?? [];
  const b = update.itemSchemas ?? [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    ctx.at(`items/${i}`, () => {
      const before = a[i];
      const after = b[i];
      if (before !== undefined && after !== undefined) return compareJson(ctx, before, after);
      if (before !== undefined) {
        if (isOpenArray(update)) {
          ctx.add('ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL');
          return;
        }
        if (update.additionalItemsSchema) {
          const sub = ctx.sub();
          compareJson(sub, before, update.additionalItemsSchema);
          ctx.addAll(sub.diffs);
          ctx.add(
            sub.compatible()
              ? 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
              : 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          );
          return;
        }
        ctx.add(
          deref(before).kind === 'false'
            ? 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
            : 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL',
        );
        return;
      }
      if (isOpenArray(original)) {
        ctx.add(
          deref(after!).kind === 'empty'
            ? 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
            : 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
        );
        return;
      }
      if (original.additionalItemsSchema) {
        const sub = ctx.sub();
        compareJson(sub, original.additionalItemsSchema, after!);
        ctx.addAll(sub.diffs);
        ctx.add(
          sub.compatible()
            ? 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
            : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
        );
        return;
      }
      ctx.add('ITEM_ADDED_TO_CLOSED_CONTENT_MODEL');
      return;
    });
  }
  ctx.at('additionalItems', () => {
    if (original.additionalItems !== update.additionalItems) {
      ctx.add(original.additionalItems ? 'ADDITIONAL_ITEMS_REMOVED' : 'ADDITIONAL_ITEMS_ADDED');
    } else if (original.additionalItemsSchema === null && update.additionalItemsSchema !== null) {
      ctx.add('ADDITIONAL_ITEMS_NARROWED');
    } else if (update.additionalItemsSchema === null && original.additionalItemsSchema !== null) {
      ctx.add('ADDITIONAL_ITEMS_EXTENDED');
    } else compareJson(ctx, original.additionalItemsSchema, update.additionalItemsSchema);
  });
  compareLimit(ctx, 'maxItems', original.maxItems, update.maxItems, 'MAX_ITEMS');
  compareLimit(ctx, 'minItems', original.minItems, update.minItems, 'MIN_ITEMS');
  if (original.uniqueItems !== update.uniqueItems)
    ctx.add(original.uniqueItems ? 'UNIQUE_ITEMS_REMOVED' : 'UNIQUE_ITEMS_ADDED', 'uniqueItems');
}

/** Every difference between the old schema and the new one. */
export function jsonSchemaDifferences(original: JsonNode, update: JsonNode): JsonDifference[] {
  const ctx = new Context();
  compareJson(ctx, original, update);
  return ctx.diffs;
}

const KEYWORD_ADDED_OR_REMOVED = new Set([
  'MAXIMUM_ADDED',
  'MINIMUM_ADDED',
  'EXCLUSIVE_MAXIMUM_ADDED',
  'EXCLUSIVE_MINIMUM_ADDED',
  'MULTIPLE_OF_ADDED',
  'MAX_LENGTH_ADDED',
  'MIN_LENGTH_ADDED',
  'PATTERN_ADDED',
  'REQUIRED_ATTRIBUTE_ADDED',
  'MAX_PROPERTIES_ADDED',
  'MIN_PROPERTIES_ADDED',
  'DEPENDENCY_ARRAY_ADDED',
  'DEPENDENCY_SCHEMA_ADDED',
  'MAX_ITEMS_ADDED',
  'MIN_ITEMS_ADDED',
  'UNIQUE_ITEMS_ADDED',
  'ADDITIONAL_ITEMS_REMOVED',
  'ADDITIONAL_PROPERTIES_REMOVED',
]);
const VALUE_INCREASED = new Set([
  'MIN_LENGTH_INCREASED',
  'MINIMUM_INCREASED',
  'EXCLUSIVE_MINIMUM_INCREASED',
  'MIN_PROPERTIES_INCREASED',
  'MULTIPLE_OF_EXPANDED',
  'MIN_ITEMS_INCREASED',
]);
const VALUE_DECREASED = new Set([
  'MAX_LENGTH_DECREASED',
  'MAXIMUM_DECREASED',
  'MAX_ITEMS_DECREASED',
  'EXCLUSIVE_MAXIMUM_DECREASED',
  'MAX_PROPERTIES_DECREASED',
]);
const TYPE_NARROWED = new Set([
  'ADDITIONAL_ITEMS_NARROWED',
  'ENUM_ARRAY_NARROWED',
  'SUM_TYPE_NARROWED',
  'ADDITIONAL_PROPERTIES_NARROWED',
]);
const VALUE_CHANGED = new Set(['PATTERN_CHANGED', 'MULTIPLE_OF_CHANGED', 'DEPENDENCY_ARRAY_CHANGED']);
const TYPE_CHANGED = new Set([
  'TYPE_CHANGED',
  'TYPE_NARROWED',
  'COMBINED_TYPE_CHANGED',
  'COMBINED_TYPE_SUBSCHEMAS_CHANGED',
  'ENUM_ARRAY_CHANGED',
]);
const TYPE_EXTENDED = new Set([
  'DEPENDENCY_ARRAY_EXTENDED',
  'PRODUCT_TYPE_EXTENDED',
  'SUM_TYPE_EXTENDED',
  'NOT_TYPE_EXTENDED',
]);
const ADDED_TO_OPEN = new Set(['PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL']);

/** Confluent's message for one difference, `%s` standing for the reader's and writer's side. */
export function describeJsonDifference(d: JsonDifference): string {
  const p = d.path;
  let message = '';
  if (KEYWORD_ADDED_OR_REMOVED.has(d.type))
    message = `The keyword at path '${p}' in the %s schema is not present in the %s schema`;
  else if (VALUE_INCREASED.has(d.type))
    message = `The value at path '${p}' in the %s schema is more than its value in the %s schema`;
  else if (VALUE_DECREASED.has(d.type))
    message = `The value at path '${p}' in the %s schema is less than its value in the %s schema`;
  else if (VALUE_CHANGED.has(d.type))
    message = `The value at path '${p}' is different between the %s and %s schema`;
  else if (TYPE_NARROWED.has(d.type))
    message = `An array or combined type at path '${p}' has fewer elements in the %s schema than the %s schema`;
  else if (TYPE_EXTENDED.has(d.type))
    message = `An array or combined type at path '${p}' has more elements in the %s schema than the %s schema`;
  else if (TYPE_CHANGED.has(d.type))
    message = `A type at path '${p}' is different between the %s schema and the %s schema`;
  else if (ADDED_TO_OPEN.has(d.type))
    message = `The %s schema has an open content model and has a property or item at path '${p}' which is missing in the %s schema`;
  else if (d.type === 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL')
    message = `The %s schema has an unopen content model and has a required property at path '${p}' which is missing in the %s schema`;
  else if (
    d.type === 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL' ||
    d.type === 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL'
  )
    message = `The %s schema has a closed content model and is missing a property or item present at path '${p}' in the %s schema`;
  else if (
    d.type === 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' ||
    d.type === 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  )
    message = `A property or item is missing in the %s schema but present at path '${p}' in the %s schema and is not covered by its partially open content model`;
  else if (
    d.type === 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' ||
    d.type === 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  )
    message = `The %s schema has a property or item at path '${p}' which is missing in the %s schema and is not covered by its partially open content model`;
  return `{errorType:"${d.type}", description:"${message}"}`;
}
