/**
 * What the registry needs of a schema of any type, after Confluent's `ParsedSchema`: the canonical
 * text it stores and serves (registering the same schema twice compares canonical texts, so
 * formatting differences do not create new versions), a normalized text for `normalize=true`, and
 * a backward-compatibility check against an earlier schema whose messages keep Confluent's `%s`
 * placeholders for the reader and writer side ("new"/"old", filled in by the compatibility level).
 *
 * References are resolved by the registry before parsing: each one is the referenced subject
 * version's canonical text under the name the referencing schema uses (an Avro full name, a JSON
 * Schema `$ref` URL, a Protobuf import path), in dependency order.
 */

export const SCHEMA_TYPES = ['AVRO', 'JSON', 'PROTOBUF'] as const;
export type SchemaType = (typeof SCHEMA_TYPES)[number];

/** A reference as clients send and the registry stores it. */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A referenced schema's text under the name the referencing schema uses for it. */
export interface ResolvedReference {
  name: string;
  schema: string;
}

export interface ParsedSchema {
  readonly type: SchemaType;
  /** The text stored in `_schemas` and returned by the API. */
  readonly canonical: string;
  /** The text stored when the client (or the subject's config) asks for normalization. */
  normalized(): string;
  /**
   * Problems that keep this schema (the reader) from reading data written with `previous`; each a
   * Confluent-style message with `%s` placeholders for the reader's and writer's side.
   */
  isBackwardCompatible(previous: ParsedSchema): string[];
  /** The schema in another representation (`format=serialized` for Protobuf, `resolved` for Avro). */
  formatted?(format: string): string | undefined;
}

/** A schema that does not parse or validate: the registry answers 42201 with this message. */
export class InvalidSchemaError extends Error {
  override readonly name = 'InvalidSchemaError';
}

export interface SchemaProvider {
  readonly type: SchemaType;
  parse(schema: string, references: readonly ResolvedReference[]): ParsedSchema;
}
