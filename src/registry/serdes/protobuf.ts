/**
 * Protobuf messages in the registry wire format, with protobufjs doing the encoding: a registry
 * schema (and its references) parses into a file whose message indexes locate the message type
 * (`[0]` is the first top-level message). Values are encoded from plain objects or protobufjs
 * messages (`Type.fromObject`) and decoded to plain objects (longs and enums as strings, bytes as
 * base64, defaults included — the JSON mapping).
 */
import protobuf from 'protobufjs';
import type { ResolvedReference } from '../schemas/parsed-schema.ts';
import { messageAt, messageIndexesOf, type ProtoFile } from '../schemas/protobuf/file.ts';
import { parseProtobufSchema } from '../schemas/protobuf/index.ts';

export interface ProtobufSchema {
  readonly file: ProtoFile;
  /** The registry's text for the schema. */
  readonly canonical: string;
}

export function protobufSchema(
  schema: string,
  references: readonly ResolvedReference[] = [],
): ProtobufSchema {
  const parsed = parseProtobufSchema(schema, references);
  return { file: parsed.file, canonical: parsed.canonical };
}

/** The message type and its indexes: by full name, or the file's first message. */
export function protobufMessage(
  schema: ProtobufSchema,
  typeName?: string,
): { type: protobuf.Type; indexes: number[] } {
  if (typeName === undefined) {
    const type = messageAt(schema.file, [0]);
    if (!type) throw new Error('The Protobuf schema has no message');
    return { type, indexes: [0] };
  }
  const indexes = messageIndexesOf(schema.file, typeName);
  const type = indexes ? messageAt(schema.file, indexes) : undefined;
  if (!indexes || !type) throw new Error(`The Protobuf schema has no message ${typeName}`);
  return { type, indexes };
}

export const PROTOBUF_OBJECT_OPTIONS: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: String,
  defaults: true,
  oneofs: true,
};

/**
 * A plain object in the JSON mapping (64-bit integers as decimal strings, as the deserializer
 * returns them) made acceptable to protobufjs's strict `verify`: such strings become Longs.
 */
export function fromJsonMapping(type: protobuf.Type, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof type.ctor)
    return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const field of type.fieldsArray) {
    const v = out[field.name];
    if (v === undefined || v === null) continue;
    const convert = (x: unknown): unknown => {
      if (field.long && typeof x === 'string' && /^-?\d+$/.test(x))
        return (
          protobuf.util.Long as unknown as { fromString(s: string, unsigned: boolean): unknown }
        ).fromString(x, field.type === 'uint64' || field.type === 'fixed64');
      if (field.resolvedType instanceof protobuf.Type) return fromJsonMapping(field.resolvedType, x);
      return x;
    };
    if (field.map && typeof v === 'object') {
      out[field.name] = Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, convert(x)]),
      );
    } else out[field.name] = field.repeated && Array.isArray(v) ? v.map(convert) : convert(v);
  }
  return out;
}
