/**
 * The Avro schema provider: parses a schema (after the types its references define), gives its
 * canonical text (Java's `Schema.toString()`, what Confluent stores), the normalized text, the
 * `resolved` format (references inlined) and the backward-compatibility check.
 */
import {
  InvalidSchemaError,
  type ParsedSchema,
  type ResolvedReference,
  type SchemaProvider,
} from '../parsed-schema.ts';
import { canonicalAvro } from './canonical.ts';
import { avroIncompatibilities, describeIncompatibility } from './compatibility.ts';
import { type AvroSchema, type Names, parseAvro } from './model.ts';

export class AvroParsedSchema implements ParsedSchema {
  readonly type = 'AVRO' as const;
  readonly schema: AvroSchema;
  readonly canonical: string;
  private readonly referenced: string[];

  constructor(schema: AvroSchema, referenced: string[]) {
    this.schema = schema;
    this.referenced = referenced;
    this.canonical = canonicalAvro(schema, referenced);
  }

  normalized(): string {
    return canonicalAvro(this.schema, this.referenced, true);
  }

  formatted(format: string): string | undefined {
    if (format === 'resolved') return canonicalAvro(this.schema);
    return undefined;
  }

  isBackwardCompatible(previous: ParsedSchema): string[] {
    if (!(previous instanceof AvroParsedSchema)) return ['Incompatible because of different schema type'];
    return avroIncompatibilities(this.schema, previous.schema).map(describeIncompatibility);
  }
}

export function parseAvroSchema(
  text: string,
  references: readonly ResolvedReference[] = [],
): AvroParsedSchema {
  const names: Names = new Map();
  for (const ref of references) {
    try {
      parseAvro(ref.schema, names);
    } catch (err) {
      if (err instanceof InvalidSchemaError)
        throw new InvalidSchemaError(`Invalid schema reference ${ref.name}: ${err.message}`);
      throw err;
    }
  }
  const referenced = [...names.keys()];
  return new AvroParsedSchema(parseAvro(text, names), referenced);
}

export const avroProvider: SchemaProvider = {
  type: 'AVRO',
  parse: parseAvroSchema,
};
