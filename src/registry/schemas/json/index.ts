/**
 * The JSON Schema provider: a schema is valid when it is JSON that ajv compiles (with its
 * references); its canonical text is the compact JSON with keys as given (Confluent serves Jackson's
 * `toString()` of the document), the normalized text sorts object keys; compatibility is Confluent's
 * structural diff (./diff.ts).
 */
import {
  InvalidSchemaError,
  type ParsedSchema,
  type ResolvedReference,
  type SchemaProvider,
} from '../parsed-schema.ts';
import { compileJsonSchema } from './ajv.ts';
import { COMPATIBLE_CHANGES, describeJsonDifference, jsonSchemaDifferences } from './diff.ts';
import { type JsonNode, JsonSchemaLoader } from './model.ts';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

export class JsonParsedSchema implements ParsedSchema {
  readonly type = 'JSON' as const;
  readonly document: unknown;
  readonly canonical: string;
  readonly references: readonly ResolvedReference[];
  private node: JsonNode | undefined;

  constructor(document: unknown, references: readonly ResolvedReference[]) {
    this.document = document;
    this.references = references;
    this.canonical = JSON.stringify(document);
  }

  /** The model the compatibility rules compare (built on first use). */
  model(): JsonNode {
    if (!this.node) {
      const loaders = new Map<string, JsonSchemaLoader>();
      const external = (name: string) => loaders.get(name);
      for (const ref of this.references)
        loaders.set(ref.name, new JsonSchemaLoader(JSON.parse(ref.schema), external));
      this.node = new JsonSchemaLoader(this.document, external).load();
    }
    return this.node;
  }

  normalized(): string {
    return JSON.stringify(sortKeys(this.document));
  }

  isBackwardCompatible(previous: ParsedSchema): string[] {
    if (!(previous instanceof JsonParsedSchema)) return ['Incompatible because of different schema type'];
    return jsonSchemaDifferences(previous.model(), this.model())
      .filter((d) => !COMPATIBLE_CHANGES.has(d.type))
      .map(describeJsonDifference);
  }
}

export function parseJsonSchema(
  text: string,
  references: readonly ResolvedReference[] = [],
): JsonParsedSchema {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new InvalidSchemaError(`Invalid JSON schema: ${(err as Error).message}`);
  }
  if (
    typeof document !== 'boolean' &&
    (document === null || typeof document !== 'object' || Array.isArray(document))
  )
    throw new InvalidSchemaError('Invalid JSON schema: a schema must be a JSON object or a boolean');
  compileJsonSchema(document, references);
  const parsed = new JsonParsedSchema(document, references);
  parsed.model();
  return parsed;
}

export const jsonSchemaProvider: SchemaProvider = {
  type: 'JSON',
  parse: parseJsonSchema,
};
