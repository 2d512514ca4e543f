/**
 * The main file of a parsed `.proto` as a `google.protobuf.FileDescriptorProto`, the way protoc
 * builds one: fully qualified type names (`.pkg.Msg`), map fields as repeated `XxxEntry` messages
 * with `map_entry`, proto3 `optional` as a synthetic oneof with `proto3_optional`, JSON names,
 * reserved ranges with exclusive ends, and the imports as dependencies. Served base64-encoded for
 * `format=serialized` (what Confluent's newer clients ask for). Options are carried for the
 * standard descriptor options only; custom options are left out.
 */
import protobuf from 'protobufjs';
import { type DescriptorTypes, descriptor } from './descriptor-types.ts';
import { mainDefinitions, type ProtoFile } from './file.ts';

const TYPE_NUMBERS: Record<string, number> = {
  double: 1,
  float: 2,
  int64: 3,
  uint64: 4,
  int32: 5,
  fixed64: 6,
  fixed32: 7,
  bool: 8,
  string: 9,
  bytes: 12,
  uint32: 13,
  sfixed32: 15,
  sfixed64: 16,
  sint32: 17,
  sint64: 18,
};
const TYPE_MESSAGE = 11;
const TYPE_ENUM = 14;
const LABEL_OPTIONAL = 1;
const LABEL_REQUIRED = 2;
const LABEL_REPEATED = 3;

type Obj = Record<string, unknown>;

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
}

function jsonName(name: string): string {
  let out = '';
  let upper = false;
  for (const c of name) {
    if (c === '_') upper = true;
    else {
      out += upper ? c.toUpperCase() : c;
      upper = false;
    }
  }
  return out;
}

function entryName(field: string): string {
  const p = jsonName(field);
  return `${p.charAt(0).toUpperCase()}${p.slice(1)}Entry`;
}

/** Standard options only (snake_case keys as written → the descriptor's camelCase fields). */
function options(opts: Obj | undefined, allowed: readonly string[]): Obj | undefined {
  if (!opts) return undefined;
  const out: Obj = {};
  for (const [k, v] of Object.entries(opts)) if (allowed.includes(k)) out[camel(k)] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

const FILE_OPTIONS = [
  'java_package',
  'java_outer_classname',
  'java_multiple_files',
  'go_package',
  'optimize_for',
  'csharp_namespace',
  'objc_class_prefix',
  'php_namespace',
  'ruby_package',
  'swift_prefix',
  'deprecated',
  'cc_enable_arenas',
];
const FIELD_OPTIONS = ['packed', 'deprecated', 'lazy', 'jstype', 'ctype'];

function typeOf(field: { type: string }, valueType: string, resolved: protobuf.ReflectionObject | null): Obj {
  const scalar = TYPE_NUMBERS[valueType];
  if (scalar !== undefined) return { type: scalar };
  if (resolved instanceof protobuf.Enum) return { type: TYPE_ENUM, typeName: resolved.fullName };
  if (resolved instanceof protobuf.Type) return { type: TYPE_MESSAGE, typeName: resolved.fullName };
  return { type: TYPE_MESSAGE, typeName: field.type };
}

function messageDescriptor(type: protobuf.Type, syntax: 'proto2' | 'proto3'): Obj {
  const oneofs = type.oneofsArray;
  const nestedType: Obj[] = [];
  const fields = type.fieldsArray.map((field) => {
    const out: Obj = { name: field.name, number: field.id, jsonName: jsonName(field.name) };
    if (field instanceof protobuf.MapField || (field as unknown as protobuf.MapField).map) {
      const map = field as unknown as protobuf.MapField;
      const entry = entryName(map.name);
      const keyField = {
        name: 'key',
        number: 1,
        label: LABEL_OPTIONAL,
        jsonName: 'key',
        ...typeOf(map, map.keyType, null),
      };
      const valueField = {
        name: 'value',
        number: 2,
        label: LABEL_OPTIONAL,
        jsonName: 'value',
        ...typeOf(map, map.type, map.resolvedType),
      };
      nestedType.push({ name: entry, field: [keyField, valueField], options: { mapEntry: true } });
      return { ...out, label: LABEL_REPEATED, type: TYPE_MESSAGE, typeName: `${type.fullName}.${entry}` };
    }
    out.label =
      field.rule === 'repeated'
        ? LABEL_REPEATED
        : field.rule === 'required'
          ? LABEL_REQUIRED
          : LABEL_OPTIONAL;
    Object.assign(out, typeOf(field, field.type, field.resolvedType));
    if (field.partOf) out.oneofIndex = oneofs.indexOf(field.partOf);
    if (field.options?.proto3_optional) out.proto3Optional = true;
    if (syntax === 'proto2' && field.options?.default !== undefined)
      out.defaultValue = String(field.options.default);
    const opts = options(field.options, FIELD_OPTIONS);
    if (opts) out.options = opts;
    return out;
  });
  const reserved = (type.reserved ?? []) as (number[] | string)[];
  return {
    name: type.name,
    field: fields,
    nestedType: [
      ...type.nestedArray
        .filter((n): n is protobuf.Type => n instanceof protobuf.Type)
        .map((n) => messageDescriptor(n, syntax)),
      ...nestedType,
    ],
    enumType: type.nestedArray
      .filter((n): n is protobuf.Enum => n instanceof protobuf.Enum)
      .map((n) => enumDescriptor(n)),
    oneofDecl: oneofs.map((o) => ({ name: o.name })),
    reservedRange: reserved
      .filter((r): r is number[] => Array.isArray(r))
      .map(([a, b]) => ({ start: a, end: b! + 1 })),
    reservedName: reserved.filter((r): r is string => typeof r === 'string'),
    ...(options(type.options, ['deprecated', 'message_set_wire_format'])
      ? { options: options(type.options, ['deprecated']) }
      : {}),
  };
}

function enumDescriptor(type: protobuf.Enum): Obj {
  const reserved = (type.reserved ?? []) as (number[] | string)[];
  return {
    name: type.name,
    value: Object.entries(type.values).map(([name, number]) => {
      const opts = options(type.valuesOptions?.[name] as Obj | undefined, ['deprecated']);
      return { name, number, ...(opts ? { options: opts } : {}) };
    }),
    reservedRange: reserved
      .filter((r): r is number[] => Array.isArray(r))
      .map(([a, b]) => ({ start: a, end: b })),
    reservedName: reserved.filter((r): r is string => typeof r === 'string'),
    ...(options(type.options, ['allow_alias', 'deprecated'])
      ? { options: options(type.options, ['allow_alias', 'deprecated']) }
      : {}),
  };
}

function serviceDescriptor(service: protobuf.Service): Obj {
  return {
    name: service.name,
    method: service.methodsArray.map((m) => {
      m.resolve();
      return {
        name: m.name,
        inputType: m.resolvedRequestType?.fullName ?? m.requestType,
        outputType: m.resolvedResponseType?.fullName ?? m.responseType,
        ...(m.requestStream ? { clientStreaming: true } : {}),
        ...(m.responseStream ? { serverStreaming: true } : {}),
      };
    }),
  };
}

/** The main file's descriptor (`name` is the file name it gets, e.g. the subject's). */
export function fileDescriptor(file: ProtoFile, name: string): Obj {
  const defs = mainDefinitions(file);
  const dependency = [...file.imports, ...file.publicImports];
  const opts = options(file.options, FILE_OPTIONS);
  return {
    name,
    ...(file.package ? { package: file.package } : {}),
    dependency,
    publicDependency: file.publicImports.map((i) => dependency.indexOf(i)),
    messageType: defs
      .filter((d): d is protobuf.Type => d instanceof protobuf.Type)
      .map((t) => messageDescriptor(t, file.syntax)),
    enumType: defs
      .filter((d): d is protobuf.Enum => d instanceof protobuf.Enum)
      .map((e) => enumDescriptor(e)),
    service: defs
      .filter((d): d is protobuf.Service => d instanceof protobuf.Service)
      .map((s) => serviceDescriptor(s)),
    ...(opts ? { options: opts } : {}),
    ...(file.syntax === 'proto3' ? { syntax: 'proto3' } : {}),
  };
}

/** The descriptor, protobuf-encoded and base64'd. */
export function serializedDescriptor(file: ProtoFile, name: string): string {
  const message = descriptor.FileDescriptorProto.fromObject(fileDescriptor(file, name));
  return Buffer.from(descriptor.FileDescriptorProto.encode(message).finish()).toString('base64');
}

const TYPE_NAMES = Object.fromEntries(Object.entries(TYPE_NUMBERS).map(([k, v]) => [v, k]));

type Dp = DescriptorTypes.IDescriptorProto;
type Fdp = DescriptorTypes.IFieldDescriptorProto;

function scalarOrName(field: Fdp): string {
  const type = Number(field.type);
  if (type === TYPE_MESSAGE || type === TYPE_ENUM || type === 10) return field.typeName ?? '';
  return TYPE_NAMES[type] ?? 'bytes';
}

function fieldText(field: Fdp, entries: Map<string, Dp>, proto3: boolean, inOneof: boolean): string {
  const entry = field.typeName ? entries.get(field.typeName) : undefined;
  const opts = field.options as Record<string, unknown> | null | undefined;
  const optionParts: string[] = [];
  if (opts?.packed !== undefined && opts.packed !== null) optionParts.push(`packed = ${opts.packed}`);
  if (opts?.deprecated) optionParts.push('deprecated = true');
  if (!proto3 && Object.hasOwn(field, 'defaultValue') && field.defaultValue)
    optionParts.push(
      `default = ${Number(field.type) === 9 ? JSON.stringify(field.defaultValue) : field.defaultValue}`,
    );
  const suffix = optionParts.length > 0 ? ` [${optionParts.join(', ')}]` : '';
  if (entry) {
    const [key, value] = [entry.field?.[0], entry.field?.[1]];
    return `map<${key ? scalarOrName(key) : 'string'}, ${value ? scalarOrName(value) : 'bytes'}> ${field.name} = ${field.number}${suffix};`;
  }
  const label = Number(field.label);
  let prefix = '';
  if (label === LABEL_REPEATED) prefix = 'repeated ';
  else if (label === LABEL_REQUIRED) prefix = 'required ';
  else if (field.proto3Optional || (!proto3 && !inOneof)) prefix = 'optional ';
  return `${prefix}${scalarOrName(field)} ${field.name} = ${field.number}${suffix};`;
}

function enumText(e: DescriptorTypes.IEnumDescriptorProto): string[] {
  const opts = e.options as Record<string, unknown> | null | undefined;
  return [
    `enum ${e.name} {`,
    ...(opts?.allowAlias ? ['  option allow_alias = true;'] : []),
    ...(e.value ?? []).map((v) => `  ${v.name} = ${v.number};`),
    '}',
  ];
}

function messageText(m: Dp, scope: string, proto3: boolean): string[] {
  const full = `${scope}.${m.name}`;
  const entries = new Map<string, Dp>();
  for (const n of m.nestedType ?? [])
    if ((n.options as Record<string, unknown> | null | undefined)?.mapEntry)
      entries.set(`${full}.${n.name}`, n);
  const oneofFields = new Map<number, Fdp[]>();
  const plain: Fdp[] = [];
  for (const f of m.field ?? []) {
    const inOneof = Object.hasOwn(f, 'oneofIndex') && f.oneofIndex !== null && f.oneofIndex !== undefined;
    if (inOneof && !f.proto3Optional) {
      const index = f.oneofIndex as number;
      oneofFields.set(index, [...(oneofFields.get(index) ?? []), f]);
    } else plain.push(f);
  }
  const lines = [`message ${m.name} {`];
  const ranges = (m.reservedRange ?? []).map((r) =>
    Number(r.end) - 1 === Number(r.start) ? `${r.start}` : `${r.start} to ${Number(r.end) - 1}`,
  );
  if (ranges.length > 0) lines.push(`  reserved ${ranges.join(', ')};`);
  if ((m.reservedName ?? []).length > 0)
    lines.push(`  reserved ${(m.reservedName ?? []).map((n) => JSON.stringify(n)).join(', ')};`);
  for (const f of plain) lines.push(`  ${fieldText(f, entries, proto3, false)}`);
  for (const [index, fields] of oneofFields) {
    lines.push(`  oneof ${m.oneofDecl?.[index]?.name ?? `oneof_${index}`} {`);
    for (const f of fields) lines.push(`    ${fieldText(f, entries, proto3, true)}`);
    lines.push('  }');
  }
  for (const n of m.nestedType ?? []) {
    if (entries.has(`${full}.${n.name}`)) continue;
    lines.push(...messageText(n, full, proto3).map((l) => `  ${l}`));
  }
  for (const e of m.enumType ?? []) lines.push(...enumText(e).map((l) => `  ${l}`));
  lines.push('}');
  return lines;
}

/** `.proto` source for a decoded descriptor (type names stay fully qualified). */
export function descriptorSource(fdp: DescriptorTypes.IFileDescriptorProto): string {
  const proto3 = fdp.syntax === 'proto3';
  const lines = [`syntax = "${proto3 ? 'proto3' : 'proto2'}";`];
  if (fdp.package) lines.push(`package ${fdp.package};`);
  const publicDeps = new Set((fdp.publicDependency ?? []).map((i: number) => fdp.dependency?.[i]));
  for (const d of fdp.dependency ?? []) lines.push(`import ${publicDeps.has(d) ? 'public ' : ''}"${d}";`);
  for (const [k, v] of Object.entries((fdp.options ?? {}) as Record<string, unknown>)) {
    if (v === undefined || v === null || typeof v === 'object') continue;
    const key = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    lines.push(`option ${key} = ${typeof v === 'string' && key !== 'optimize_for' ? JSON.stringify(v) : v};`);
  }
  const scope = fdp.package ? `.${fdp.package}` : '';
  for (const m of fdp.messageType ?? []) lines.push(...messageText(m, scope, proto3));
  for (const e of fdp.enumType ?? []) lines.push(...enumText(e));
  for (const s of fdp.service ?? []) {
    lines.push(`service ${s.name} {`);
    for (const m of s.method ?? [])
      lines.push(
        `  rpc ${m.name} (${m.clientStreaming ? 'stream ' : ''}${m.inputType}) returns (${m.serverStreaming ? 'stream ' : ''}${m.outputType});`,
      );
    lines.push('}');
  }
  return `${lines.join('\n')}\n`;
}
