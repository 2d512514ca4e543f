/**
 * Avro values in the registry wire format, with avsc doing the binary encoding: types are built
 * from registry schemas (named types of references registered first, so references resolve) and
 * cached by schema id. Reading with a reader schema other than the writer's uses avsc's resolver;
 * whether two schemas may be resolved at all is the registry's compatibility business.
 */
import avsc from 'avsc';
import type { ResolvedReference } from '../schemas/parsed-schema.ts';

export type AvroType = avsc.Type;
export type AvroTypeOptions = Partial<avsc.ForSchemaOptions>;

/** An avsc type for a registry schema text and its resolved references. */
export function avroType(
  schema: string,
  references: readonly ResolvedReference[] = [],
  options: AvroTypeOptions = {},
): AvroType {
  const registry: Record<string, avsc.Type> = { ...(options.registry ?? {}) };
  for (const ref of references)
    avsc.Type.forSchema(JSON.parse(ref.schema) as avsc.Schema, { ...options, registry });
  return avsc.Type.forSchema(JSON.parse(schema) as avsc.Schema, { ...options, registry });
}

/** The schema text the registry gets for an avsc type, a schema object or JSON text. */
export function avroSchemaText(schema: AvroType | object | string): string {
  if (typeof schema === 'string') return schema;
  if (avsc.Type.isType(schema)) return JSON.stringify((schema as AvroType).schema({ exportAttrs: true }));
  return JSON.stringify(schema);
}

/** The record's full name (RecordNameStrategy), if the schema is a named type. */
export function avroRecordName(type: AvroType): string | undefined {
  return type.name ?? undefined;
}
