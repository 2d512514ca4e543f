/**
 * A Protobuf schema as the registry sees it: one `.proto` file (text, or a base64
 * `FileDescriptorProto` as Confluent's newer clients send) parsed with protobufjs into a root that
 * also holds the files it imports — its references, under their import paths, and the well-known
 * types (`google/protobuf/*.proto`, plus Confluent's `confluent/meta.proto` and
 * `confluent/type/decimal.proto` and `google/type/date.proto`/`timeofday.proto`) built in — with
 * every type name resolved, so a schema naming an unknown type is invalid.
 *
 * The main file's own definitions are told apart by their `filename`. Not implemented: proto2
 * `extend` blocks and groups (protobufjs parses them; they are not printed or compared).
 */
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { InvalidSchemaError, type ResolvedReference } from '../parsed-schema.ts';
import { type DescriptorTypes, descriptor } from './descriptor-types.ts';

const DESCRIPTOR_JSON: unknown = createRequire(import.meta.url)('protobufjs/google/protobuf/descriptor.json');

export const MAIN_FILE = '<main>';

/** Built-in files Confluent also provides without references (besides protobufjs's common ones). */
const BUILTIN_TEXT: Record<string, string> = {
  'confluent/meta.proto': `syntax = "proto3";
package confluent;
import "google/protobuf/descriptor.proto";
message Meta { string doc = 1; map<string, string> params = 2; repeated string tags = 3; }`,
  'confluent/type/decimal.proto': `syntax = "proto3";
package confluent.type;
message Decimal { bytes value = 1; uint32 precision = 2; int32 scale = 3; }`,
  'google/type/date.proto': `syntax = "proto3";
package google.type;
message Date { int32 year = 1; int32 month = 2; int32 day = 3; }`,
  'google/type/timeofday.proto': `syntax = "proto3";
package google.type;
message TimeOfDay { int32 hours = 1; int32 minutes = 2; int32 seconds = 3; int32 nanos = 4; }`,
};

export interface ProtoFile {
  syntax: 'proto2' | 'proto3';
  package: string | null;
  imports: string[];
  publicImports: string[];
  /** File-level options in declaration order. */
  options: Record<string, unknown>;
  /** The root with this file, its imports and the built-ins, resolved. */
  root: protobuf.Root;
}

type Nested = protobuf.Type | protobuf.Enum | protobuf.Service | protobuf.Namespace;

function strip(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

function syntaxOf(text: string): 'proto2' | 'proto3' {
  const m = /\bsyntax\s*=\s*["'](proto[23])["']/.exec(strip(text));
  return m?.[1] === 'proto3' ? 'proto3' : 'proto2';
}

function publicImportsOf(text: string): string[] {
  return [...strip(text).matchAll(/\bimport\s+public\s+["']([^"']+)["']/g)].map((m) => m[1]!);
}

function parseInto(root: protobuf.Root, name: string, text: string): protobuf.IParserResult {
  const parser = protobuf.parse as unknown as { filename: string | null };
  parser.filename = name;
  try {
    return protobuf.parse(text, root, { keepCase: true });
  } finally {
    parser.filename = null;
  }
}

/** Adds an import the root lacks: a reference, a built-in, or nothing (then resolution fails). */
function addImport(
  root: protobuf.Root,
  name: string,
  references: ReadonlyMap<string, string>,
  loaded: Set<string>,
): void {
  if (loaded.has(name)) return;
  loaded.add(name);
  const text = references.get(name) ?? BUILTIN_TEXT[name];
  if (text !== undefined) {
    const parsed = parseInto(root, name, text);
    for (const dep of parsed.imports ?? []) addImport(root, dep, references, loaded);
    for (const dep of parsed.weakImports ?? []) addImport(root, dep, references, loaded);
    return;
  }
  if (name === 'google/protobuf/descriptor.proto') {
    root.addJSON((DESCRIPTOR_JSON as protobuf.INamespace).nested!);
    return;
  }
  const common = (protobuf.common as unknown as { get(name: string): protobuf.INamespace | null }).get(name);
  if (common?.nested) root.addJSON(common.nested);
}

/** Parses a `.proto` text with its references (import path → text). */
export function parseProtoText(text: string, references: readonly ResolvedReference[]): ProtoFile {
  const refs = new Map(references.map((r) => [r.name, r.schema]));
  const root = new protobuf.Root();
  const loaded = new Set<string>();
  try {
    const main = parseInto(root, MAIN_FILE, text);
    for (const dep of [...(main.imports ?? []), ...(main.weakImports ?? [])])
      addImport(root, dep, refs, loaded);
    root.resolveAll();
    const pkg = main.package ?? null;
    const space = pkg ? root.lookup(pkg) : root;
    return {
      syntax: syntaxOf(text),
      package: pkg,
      imports: [...(main.imports ?? [])].filter((i) => !publicImportsOf(text).includes(i)),
      publicImports: publicImportsOf(text),
      options: { ...((space as protobuf.Namespace | null)?.options ?? {}) },
      root,
    };
  } catch (err) {
    if (err instanceof InvalidSchemaError) throw err;
    throw new InvalidSchemaError(`Invalid schema: ${(err as Error).message}`);
  }
}

/** True when the text is a base64 `FileDescriptorProto` rather than `.proto` source. */
export function looksSerialized(text: string): boolean {
  const t = text.trim();
  return t.length > 0 && /^[A-Za-z0-9+/\r\n]+={0,2}$/.test(t) && !/\b(message|syntax|enum)\b/.test(t);
}

/** Decodes a base64 `FileDescriptorProto`. */
export function decodeFileDescriptor(text: string): DescriptorTypes.IFileDescriptorProto {
  try {
    const bytes = Buffer.from(text.trim(), 'base64');
    return descriptor.FileDescriptorProto.decode(bytes) as unknown as DescriptorTypes.IFileDescriptorProto;
  } catch (err) {
    throw new InvalidSchemaError(
      `Invalid schema: not a .proto file nor a FileDescriptorProto (${(err as Error).message})`,
    );
  }
}

/** The main file's top-level definitions (messages, enums, services), in declaration order. */
export function mainDefinitions(file: ProtoFile): Nested[] {
  const space = file.package ? (file.root.lookup(file.package) as protobuf.Namespace | null) : file.root;
  if (!space) return [];
  return space.nestedArray.filter(
    (n): n is Nested => n.filename === MAIN_FILE && !(n.constructor === protobuf.Namespace),
  );
}

/** The main file's top-level messages, in declaration order (what message indexes count). */
export function mainMessages(file: ProtoFile): protobuf.Type[] {
  return mainDefinitions(file).filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

export function nestedMessages(type: protobuf.Type): protobuf.Type[] {
  return type.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

/** Message indexes (Confluent's wire format) of a message of the main file, by full name. */
export function messageIndexesOf(file: ProtoFile, fullName: string): number[] | undefined {
  const name = fullName.startsWith('.') ? fullName : `.${fullName}`;
  const walk = (types: protobuf.Type[], path: number[]): number[] | undefined => {
    for (const [i, t] of types.entries()) {
      if (t.fullName === name) return [...path, i];
      const inner = walk(nestedMessages(t), [...path, i]);
      if (inner) return inner;
    }
    return undefined;
  };
  return walk(mainMessages(file), []);
}

/** The message of the main file that message indexes point at. */
export function messageAt(file: ProtoFile, indexes: readonly number[]): protobuf.Type | undefined {
  let types = mainMessages(file);
  let found: protobuf.Type | undefined;
  for (const i of indexes.length === 0 ? [0] : indexes) {
    found = types[i];
    if (!found) return undefined;
    types = nestedMessages(found);
  }
  return found;
}
