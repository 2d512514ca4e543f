/**
 * The Protobuf schema provider: a schema is `.proto` text or a base64 `FileDescriptorProto`
 * (turned into text first), parsed with its references (import path → referenced text); the
 * canonical text is the Wire-style print (./canonical.ts), `format=serialized` the descriptor
 * (./descriptor.ts), compatibility Confluent's rules (./diff.ts).
 */
import {
  InvalidSchemaError,
  type ParsedSchema,
  type ResolvedReference,
  type SchemaProvider,
} from '../parsed-schema.ts';
import { printProto } from './canonical.ts';
import { descriptorSource, serializedDescriptor } from './descriptor.ts';
import { COMPATIBLE_CHANGES, describeProtoDifference, protobufDifferences } from './diff.ts';
import { decodeFileDescriptor, looksSerialized, type ProtoFile, parseProtoText } from './file.ts';

export class ProtobufParsedSchema implements ParsedSchema {
  readonly type = 'PROTOBUF' as const;
  readonly file: ProtoFile;
  readonly canonical: string;

  constructor(file: ProtoFile) {
    this.file = file;
    this.canonical = printProto(file);
  }

  normalized(): string {
    return printProto(this.file, true);
  }

  formatted(format: string): string | undefined {
    if (format === 'serialized') return serializedDescriptor(this.file, 'default.proto');
    return undefined;
  }

  isBackwardCompatible(previous: ParsedSchema): string[] {
    if (!(previous instanceof ProtobufParsedSchema)) return ['Incompatible because of different schema type'];
    return protobufDifferences(previous.file, this.file)
      .filter((d) => !COMPATIBLE_CHANGES.has(d.type))
      .map(describeProtoDifference);
  }
}

/** `.proto` text for a base64 FileDescriptorProto. */
export function descriptorText(serialized: string): string {
  return descriptorSource(decodeFileDescriptor(serialized));
}

export function parseProtobufSchema(
  text: string,
  references: readonly ResolvedReference[] = [],
): ProtobufParsedSchema {
  try {
    return new ProtobufParsedSchema(parseProtoText(text, references));
  } catch (err) {
    if (!(err instanceof InvalidSchemaError) || !looksSerialized(text)) throw err;
  }
  return new ProtobufParsedSchema(parseProtoText(descriptorText(text), references));
}

export const protobufProvider: SchemaProvider = {
  type: 'PROTOBUF',
  parse: parseProtobufSchema,
};
