/**
 * Avro schemas back to JSON text the way Java's `Schema.toString()` writes them, which is what
 * Confluent stores and serves: compact, keys in Java's order (`type`, `name`, `namespace`, `doc`,
 * `fields`/`symbols`/`size`/`items`/`values`, custom properties, `aliases`), primitives without
 * properties as bare strings, a namespace only where it differs from the enclosing one, and a named
 * type written in full once, then by name. Types defined by references are written by name.
 *
 * The normalized form (`normalize=true`) also writes every name fully qualified and sorts custom
 * properties, so schemas that only differ in where namespaces are declared normalize alike.
 */
import type { AvroSchema, Field, NamedSchema, Props } from './model.ts';

interface Context {
  /** Names already written (and referenced types). */
  known: Set<string>;
  space: string | null;
  normalized: boolean;
}

function str(value: string): string {
  return JSON.stringify(value);
}

function writeProps(props: Props, normalized: boolean): string {
  const list = normalized ? [...props].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : props;
  return list.map(([k, v]) => `,${str(k)}:${JSON.stringify(v)}`).join('');
}

function aliasesJson(aliases: readonly string[], space: string | null, normalized: boolean): string {
  if (aliases.length === 0) return '';
  const names = aliases.map((a) => {
    if (normalized) return a;
    const dot = a.lastIndexOf('.');
    const ns = dot >= 0 ? a.slice(0, dot) : null;
    return ns === space ? a.slice(dot + 1) : a;
  });
  return `,"aliases":[${names.map(str).join(',')}]`;
}

function nameJson(schema: NamedSchema, ctx: Context): string {
  if (ctx.normalized) return `,"name":${str(schema.fullName)}`;
  let out = `,"name":${str(schema.name)}`;
  if (schema.namespace !== null) {
    if (schema.namespace !== ctx.space) out += `,"namespace":${str(schema.namespace)}`;
  } else if (ctx.space !== null) out += `,"namespace":""`;
  return out;
}

function reference(schema: NamedSchema, ctx: Context): string {
  if (ctx.normalized) return str(schema.fullName);
  return str(schema.namespace === null || schema.namespace === ctx.space ? schema.name : schema.fullName);
}

function fieldJson(field: Field, ctx: Context): string {
  let out = `{"name":${str(field.name)},"type":${write(field.type, ctx)}`;
  if (field.doc !== undefined) out += `,"doc":${str(field.doc)}`;
  if (field.hasDefault) out += `,"default":${JSON.stringify(field.default)}`;
  if (field.order !== 'ascending') out += `,"order":${str(field.order)}`;
  if (field.aliases.length > 0) out += `,"aliases":[${field.aliases.map(str).join(',')}]`;
  return `${out}${writeProps(field.props, ctx.normalized)}}`;
}

function write(schema: AvroSchema, ctx: Context): string {
  switch (schema.kind) {
    case 'primitive':
      return schema.props.length === 0
        ? str(schema.type)
        : `{"type":${str(schema.type)}${writeProps(schema.props, ctx.normalized)}}`;
    case 'array':
      return `{"type":"array","items":${write(schema.items, ctx)}${writeProps(schema.props, ctx.normalized)}}`;
    case 'map':
      return `{"type":"map","values":${write(schema.values, ctx)}${writeProps(schema.props, ctx.normalized)}}`;
    case 'union':
      return `[${schema.types.map((t) => write(t, ctx)).join(',')}]`;
    default:
      return writeNamed(schema, ctx);
  }
}

function writeNamed(schema: NamedSchema, ctx: Context): string {
  if (ctx.known.has(schema.fullName)) return reference(schema, ctx);
  ctx.known.add(schema.fullName);
  const saved = ctx.space;
  const type = schema.kind === 'record' ? (schema.error ? 'error' : 'record') : schema.kind;
  let out = `{"type":${str(type)}${nameJson(schema, ctx)}`;
  ctx.space = schema.namespace;
  if (schema.doc !== undefined) out += `,"doc":${str(schema.doc)}`;
  if (schema.kind === 'record') out += `,"fields":[${schema.fields.map((f) => fieldJson(f, ctx)).join(',')}]`;
  else if (schema.kind === 'enum') {
    out += `,"symbols":[${schema.symbols.map(str).join(',')}]`;
    if (schema.default !== undefined) out += `,"default":${str(schema.default)}`;
  } else out += `,"size":${schema.size}`;
  out += writeProps(schema.props, ctx.normalized);
  out += aliasesJson(schema.aliases, schema.namespace, ctx.normalized);
  ctx.space = saved;
  return `${out}}`;
}

/** Java's `Schema.toString()` of a schema; `referenced` names types defined by its references. */
export function canonicalAvro(
  schema: AvroSchema,
  referenced: Iterable<string> = [],
  normalized = false,
): string {
  return write(schema, { known: new Set(referenced), space: null, normalized });
}
