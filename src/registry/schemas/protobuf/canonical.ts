/**
 * A parsed `.proto` file printed back in the layout Confluent serves (Square Wire's
 * `ProtoFileElement.toSchema()`): `syntax`, `package`, imports, file options, then each
 * definition after a blank line; inside a message the reserved ranges, options, fields, oneofs and
 * nested definitions, each group after a blank line, two-space indentation. Comments are dropped,
 * so two files that differ only in comments or whitespace print (and register) alike.
 *
 * The normalized form (`normalize=true`) also sorts options, imports, and fields by number
 * (definitions keep their order: message indexes in records point at them).
 */
import protobuf from 'protobufjs';
import { mainDefinitions, type ProtoFile } from './file.ts';

/** Options whose values are enum constants, printed bare. */
const ENUM_OPTIONS = new Set([
  'optimize_for',
  'ctype',
  'jstype',
  'idempotency_level',
  'retention',
  'targets',
]);
const FIELD_MAX = 536870911;
const ENUM_MAX = 2147483647;

function optionValue(key: string, value: unknown): string {
  if (typeof value === 'string') return ENUM_OPTIONS.has(key) ? value : JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

function sortedEntries(options: Record<string, unknown>, normalized: boolean): [string, unknown][] {
  const entries = Object.entries(options);
  return normalized ? entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : entries;
}

function inlineOptions(options: Record<string, unknown> | undefined, normalized: boolean): string {
  if (!options) return '';
  const entries = sortedEntries(options, normalized).filter(([k]) => k !== 'proto3_optional');
  if (entries.length === 0) return '';
  return ` [${entries.map(([k, v]) => `${k} = ${optionValue(k, v)}`).join(', ')}]`;
}

function reservedLines(reserved: (number[] | string)[] | undefined, max: number): string[] {
  if (!reserved || reserved.length === 0) return [];
  const ranges = reserved.filter((r): r is number[] => Array.isArray(r));
  const names = reserved.filter((r): r is string => typeof r === 'string');
  const lines: string[] = [];
  if (ranges.length > 0) {
    const parts = ranges.map(([a, b]) => (a === b ? `${a}` : `${a} to ${b === max ? 'max' : b}`));
    lines.push(`reserved ${parts.join(', ')};`);
  }
  if (names.length > 0) lines.push(`reserved ${names.map((n) => JSON.stringify(n)).join(', ')};`);
  return lines;
}

function fieldLine(field: protobuf.Field, syntax: 'proto2' | 'proto3', normalized: boolean): string {
  if (field instanceof protobuf.MapField || (field as unknown as protobuf.MapField).map) {
    const map = field as unknown as protobuf.MapField;
    return `map<${map.keyType}, ${map.type}> ${map.name} = ${map.id}${inlineOptions(map.options, normalized)};`;
  }
  let label = '';
  if (field.rule === 'repeated') label = 'repeated ';
  else if (field.rule === 'required') label = 'required ';
  else if (syntax === 'proto2' && !field.partOf) label = 'optional ';
  else if (field.options?.proto3_optional) label = 'optional ';
  return `${label}${field.type} ${field.name} = ${field.id}${inlineOptions(field.options, normalized)};`;
}

function indent(lines: string[], by = '  '): string[] {
  return lines.map((l) => (l === '' ? '' : `${by}${l}`));
}

/** Joins groups of lines with a blank line before each non-empty group. */
function groups(...parts: string[][]): string[] {
  const out: string[] = [];
  for (const part of parts) {
    if (part.length === 0) continue;
    out.push('', ...part);
  }
  return out;
}

function isSyntheticOneof(oneof: protobuf.OneOf): boolean {
  return oneof.fieldsArray.length === 1 && oneof.fieldsArray[0]!.options?.proto3_optional === true;
}

function definitionLines(
  def: protobuf.ReflectionObject,
  syntax: 'proto2' | 'proto3',
  normalized: boolean,
): string[] {
  if (def instanceof protobuf.Type) return messageLines(def, syntax, normalized);
  if (def instanceof protobuf.Enum) return enumLines(def, normalized);
  if (def instanceof protobuf.Service) return serviceLines(def, normalized);
  return [];
}

function optionLines(options: Record<string, unknown> | undefined, normalized: boolean): string[] {
  return sortedEntries(options ?? {}, normalized).map(([k, v]) => `option ${k} = ${optionValue(k, v)};`);
}

function messageLines(type: protobuf.Type, syntax: 'proto2' | 'proto3', normalized: boolean): string[] {
  const oneofs = type.oneofsArray.filter((o) => !isSyntheticOneof(o));
  const inOneof = new Set(oneofs.flatMap((o) => o.fieldsArray));
  let fields = type.fieldsArray.filter((f) => !inOneof.has(f));
  if (normalized) fields = [...fields].sort((a, b) => a.id - b.id);
  const oneofLines = oneofs.flatMap((o) => [
    `oneof ${o.name} {`,
    ...indent(
      (normalized ? [...o.fieldsArray].sort((a, b) => a.id - b.id) : o.fieldsArray).map((f) =>
        fieldLine(f, 'proto3', normalized),
      ),
    ),
    '}',
  ]);
  const nested = type.nestedArray;
  const body = groups(
    reservedLines(type.reserved as (number[] | string)[] | undefined, FIELD_MAX),
    optionLines(type.options, normalized),
    fields.map((f) => fieldLine(f, syntax, normalized)),
    oneofLines,
    nested.flatMap((n) => definitionLines(n, syntax, normalized)),
  );
  return [`message ${type.name} {`, ...indent(body.slice(1)), '}'];
}

function enumLines(type: protobuf.Enum, normalized: boolean): string[] {
  let values = Object.entries(type.values);
  if (normalized) values = values.sort((a, b) => a[1] - b[1]);
  const body = groups(
    reservedLines(type.reserved as (number[] | string)[] | undefined, ENUM_MAX),
    optionLines(type.options, normalized),
    values.map(
      ([name, id]) =>
        `${name} = ${id}${inlineOptions(type.valuesOptions?.[name] as Record<string, unknown> | undefined, normalized)};`,
    ),
  );
  return [`enum ${type.name} {`, ...indent(body.slice(1)), '}'];
}

function serviceLines(service: protobuf.Service, normalized: boolean): string[] {
  const methods = service.methodsArray.map((m) => {
    const req = `${m.requestStream ? 'stream ' : ''}${m.requestType}`;
    const res = `${m.responseStream ? 'stream ' : ''}${m.responseType}`;
    const opts = optionLines(m.options, normalized);
    return opts.length === 0
      ? `rpc ${m.name} (${req}) returns (${res});`
      : `rpc ${m.name} (${req}) returns (${res}) {\n${indent(opts, '    ').join('\n')}\n  };`;
  });
  const body = groups(optionLines(service.options, normalized), methods);
  return [`service ${service.name} {`, ...indent(body.slice(1)), '}'];
}

/** The file's text as Confluent stores it. */
export function printProto(file: ProtoFile, normalized = false): string {
  const lines: string[] = [`syntax = "${file.syntax}";`];
  if (file.package) lines.push(`package ${file.package};`);
  const imports = normalized ? [...file.imports].sort() : file.imports;
  const publicImports = normalized ? [...file.publicImports].sort() : file.publicImports;
  if (imports.length + publicImports.length > 0) {
    lines.push(
      '',
      ...imports.map((i) => `import "${i}";`),
      ...publicImports.map((i) => `import public "${i}";`),
    );
  }
  const options = optionLines(file.options, normalized);
  if (options.length > 0) lines.push('', ...options);
  for (const def of mainDefinitions(file)) lines.push('', ...definitionLines(def, file.syntax, normalized));
  return `${lines.join('\n')}\n`;
}
