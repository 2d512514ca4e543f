/**
 * Compiles JSON Schemas with ajv, picking the draft from `$schema` (draft-07 when absent, as
 * Confluent does; draft 2019-09 and 2020-12 by their URIs; draft-04 and -06 are validated with the
 * draft-07 vocabulary), with referenced schemas added under the names the `$ref`s use and the
 * standard formats. Unknown keywords (Confluent's `connect.type`, ...) are allowed.
 */
import { createRequire } from 'node:module';
import { Ajv, type AnySchema, type AnySchemaObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { InvalidSchemaError, type ResolvedReference } from '../parsed-schema.ts';

const require = createRequire(import.meta.url);
const DRAFT_06 = require('ajv/dist/refs/json-schema-draft-06.json') as AnySchemaObject;

type AjvClass = typeof Ajv | typeof Ajv2019 | typeof Ajv2020;
const addFormats = ((formats as unknown as { default?: unknown }).default ?? formats) as (ajv: Ajv) => void;

function ajvClass(schema: unknown): AjvClass {
  const uri =
    schema !== null && typeof schema === 'object'
      ? String((schema as Record<string, unknown>).$schema ?? '')
      : '';
  if (uri.includes('2020-12')) return Ajv2020;
  if (uri.includes('2019-09')) return Ajv2019;
  return Ajv;
}

function withoutOldDraftUri(schema: unknown): unknown {
  if (schema === null || typeof schema !== 'object') return schema;
  const uri = String((schema as Record<string, unknown>).$schema ?? '');
  if (!uri.includes('draft-04') && !uri.includes('draft-03')) return schema;
  const { $schema: _drop, ...rest } = schema as Record<string, unknown>;
  return rest;
}

/** A validator for `schema`; throws InvalidSchemaError when the schema itself is invalid. */
export function compileJsonSchema(
  schema: unknown,
  references: readonly ResolvedReference[],
): ValidateFunction {
  const AjvOf = ajvClass(schema);
  const ajv = new AjvOf({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  ajv.addMetaSchema(DRAFT_06);
  try {
    for (const ref of references) {
      const parsed = JSON.parse(ref.schema) as unknown;
      const doc = withoutOldDraftUri(parsed) as Record<string, unknown>;
      const id = typeof doc === 'object' && doc !== null ? doc.$id : undefined;
      ajv.addSchema(
        typeof id === 'string' && id !== ref.name ? { ...doc, $id: ref.name } : (doc as AnySchema),
        ref.name,
      );
    }
    return ajv.compile(withoutOldDraftUri(schema) as AnySchema);
  } catch (err) {
    throw new InvalidSchemaError(`Invalid JSON schema: ${(err as Error).message}`);
  }
}
