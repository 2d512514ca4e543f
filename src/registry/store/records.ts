/**
 * The records of the `_schemas` topic, in Confluent Schema Registry's JSON format, so a topic
 * written by one can be read by the other. Keys carry `keytype` and a `magic` (1 for SCHEMA, 0 for
 * the rest), fields in Confluent's order and empty ones left out:
 *
 *   SCHEMA          {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}
 *                   {"subject":"s","version":1,"id":1,"schemaType":"JSON","references":[...],"schema":"...","deleted":false}
 *   CONFIG          {"keytype":"CONFIG","subject":"s","magic":0}  (no subject: global)
 *                   {"subject":"s","compatibilityLevel":"FULL"}
 *   MODE            {"keytype":"MODE","subject":"s","magic":0}     {"subject":"s","mode":"READONLY"}
 *   DELETE_SUBJECT  {"keytype":"DELETE_SUBJECT","subject":"s","magic":0}  {"subject":"s","version":3}
 *   CLEAR_SUBJECT   {"keytype":"CLEAR_SUBJECT","subject":"s","magic":0}   {"subject":"s"}
 *   NOOP            {"keytype":"NOOP","magic":0}                   (no value)
 *
 * A null value is a tombstone: a permanently deleted schema version, a removed config or mode.
 * Unknown key types and fields (Confluent's newer metadata, rule sets, contexts) are ignored on
 * read; a record that is not JSON at all is reported, not applied.
 */
import type { SchemaReference, SchemaType } from '../schemas/parsed-schema.ts';

export const SCHEMAS_TOPIC = '_schemas';

export type RegistryKey =
  | { keytype: 'SCHEMA'; subject: string; version: number }
  | { keytype: 'CONFIG'; subject: string | null }
  | { keytype: 'MODE'; subject: string | null }
  | { keytype: 'DELETE_SUBJECT'; subject: string }
  | { keytype: 'CLEAR_SUBJECT'; subject: string }
  | { keytype: 'NOOP' };

export interface SchemaValue {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  references: SchemaReference[];
  schema: string;
  deleted: boolean;
}

export interface ConfigValue {
  compatibilityLevel?: string;
  normalize?: boolean;
}

export interface ModeValue {
  mode: string;
}

export interface DeleteSubjectValue {
  subject: string;
  version: number;
}

function ordered(entries: [string, unknown][]): string {
  return JSON.stringify(Object.fromEntries(entries.filter(([, v]) => v !== undefined && v !== null)));
}

export function encodeKey(key: RegistryKey): Buffer {
  switch (key.keytype) {
    case 'SCHEMA':
      return Buffer.from(
        ordered([
          ['keytype', key.keytype],
          ['subject', key.subject],
          ['version', key.version],
          ['magic', 1],
        ]),
      );
    case 'NOOP':
      return Buffer.from(
        ordered([
          ['keytype', 'NOOP'],
          ['magic', 0],
        ]),
      );
    default:
      return Buffer.from(
        ordered([
          ['keytype', key.keytype],
          ['subject', key.subject],
          ['magic', 0],
        ]),
      );
  }
}

export function encodeSchemaValue(value: SchemaValue): Buffer {
  return Buffer.from(
    ordered([
      ['subject', value.subject],
      ['version', value.version],
      ['id', value.id],
      ['schemaType', value.schemaType === 'AVRO' ? undefined : value.schemaType],
      [
        'references',
        value.references.length === 0
          ? undefined
          : value.references.map((r) => ({ name: r.name, subject: r.subject, version: r.version })),
      ],
      ['schema', value.schema],
      ['deleted', value.deleted],
    ]),
  );
}

export function encodeConfigValue(subject: string | null, value: ConfigValue): Buffer {
  return Buffer.from(
    ordered([
      ['subject', subject],
      ['compatibilityLevel', value.compatibilityLevel],
      ['normalize', value.normalize],
    ]),
  );
}

export function encodeModeValue(subject: string | null, mode: string): Buffer {
  return Buffer.from(
    ordered([
      ['subject', subject],
      ['mode', mode],
    ]),
  );
}

export function encodeDeleteSubjectValue(value: DeleteSubjectValue): Buffer {
  return Buffer.from(
    ordered([
      ['subject', value.subject],
      ['version', value.version],
    ]),
  );
}

export function encodeClearSubjectValue(subject: string): Buffer {
  return Buffer.from(ordered([['subject', subject]]));
}

/** A record that cannot be read as a registry record. */
export class RecordFormatError extends Error {
  override readonly name = 'RecordFormatError';
}

function json(bytes: Buffer, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RecordFormatError(`${what} is not JSON: ${bytes.toString('utf8').slice(0, 200)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new RecordFormatError(`${what} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

function subjectOf(obj: Record<string, unknown>): string | null {
  return typeof obj.subject === 'string' ? obj.subject : null;
}

/** The key, or null for key types this registry does not know (they are skipped). */
export function decodeKey(bytes: Buffer): RegistryKey | null {
  const obj = json(bytes, 'key');
  const subject = subjectOf(obj);
  switch (obj.keytype) {
    case 'SCHEMA':
      if (subject === null || typeof obj.version !== 'number')
        throw new RecordFormatError('SCHEMA key without subject or version');
      return { keytype: 'SCHEMA', subject, version: obj.version };
    case 'CONFIG':
      return { keytype: 'CONFIG', subject };
    case 'MODE':
      return { keytype: 'MODE', subject };
    case 'DELETE_SUBJECT':
    case 'CLEAR_SUBJECT':
      if (subject === null) throw new RecordFormatError(`${obj.keytype} key without subject`);
      return { keytype: obj.keytype, subject };
    case 'NOOP':
      return { keytype: 'NOOP' };
    default:
      return null;
  }
}

export function decodeSchemaValue(bytes: Buffer): SchemaValue {
  const obj = json(bytes, 'SCHEMA value');
  const { subject, version, id, schema } = obj;
  if (
    typeof subject !== 'string' ||
    typeof version !== 'number' ||
    typeof id !== 'number' ||
    typeof schema !== 'string'
  )
    throw new RecordFormatError('SCHEMA value lacks subject, version, id or schema');
  const type = typeof obj.schemaType === 'string' ? obj.schemaType.toUpperCase() : 'AVRO';
  const references = Array.isArray(obj.references)
    ? obj.references.map((r) => {
        const ref = r as Record<string, unknown>;
        return { name: String(ref.name), subject: String(ref.subject), version: Number(ref.version) };
      })
    : [];
  return {
    subject,
    version,
    id,
    schemaType: (type === 'JSON' || type === 'PROTOBUF' ? type : 'AVRO') as SchemaType,
    references,
    schema,
    deleted: obj.deleted === true,
  };
}

export function decodeConfigValue(bytes: Buffer): ConfigValue {
  const obj = json(bytes, 'CONFIG value');
  const out: ConfigValue = {};
  if (typeof obj.compatibilityLevel === 'string') out.compatibilityLevel = obj.compatibilityLevel;
  if (typeof obj.normalize === 'boolean') out.normalize = obj.normalize;
  return out;
}

export function decodeModeValue(bytes: Buffer): ModeValue {
  const obj = json(bytes, 'MODE value');
  if (typeof obj.mode !== 'string') throw new RecordFormatError('MODE value without mode');
  return { mode: obj.mode };
}

export function decodeDeleteSubjectValue(bytes: Buffer): DeleteSubjectValue {
  const obj = json(bytes, 'DELETE_SUBJECT value');
  if (typeof obj.subject !== 'string' || typeof obj.version !== 'number')
    throw new RecordFormatError('DELETE_SUBJECT value lacks subject or version');
  return { subject: obj.subject, version: obj.version };
}
