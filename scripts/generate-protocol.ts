/**
 * Generates TypeScript codecs for every Kafka message from Kafka's JSON message specs.
 *
 *   node scripts/generate-protocol.ts            # writes src/protocol/generated/
 *   node scripts/generate-protocol.ts --check    # regenerates in memory and fails on any diff
 *
 * Input: ../shared/kafka-protocol/messages/*.json and internal/*.json (Apache-2.0 data, not copied
 * into this repo). Output, one module per message: an interface per struct (camelCase fields, int64
 * as bigint, uuid as 32 hex chars, bytes/records as Buffer) and `read<Name>(reader, version)` /
 * `write<Name>(writer, version, value)` covering every valid version: classic and flexible
 * (compact) encodings, nullable fields, tagged fields and unknown-tag passthrough. Fields absent
 * from a version decode to their spec default. Plus api-keys.ts: the API key table with version
 * ranges and header versions.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const specRoot = resolve(repo, '../shared/kafka-protocol');
const outDir = join(repo, 'src/protocol/generated');
const testOutDir = join(repo, 'test/protocol/samples');

/** Where a generated file lives: `@test/...` names go under test/protocol/samples. */
function outPath(rel: string): string {
  return rel.startsWith('@test/') ? join(testOutDir, rel.slice(6)) : join(outDir, rel);
}

interface VersionRange {
  min: number;
  max: number; // Infinity for open-ended
}

interface FieldSpec {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  flexibleVersions?: string;
  fields?: FieldSpec[];
  about?: string;
}

interface MessageSpec {
  apiKey?: number;
  type: 'request' | 'response' | 'header' | 'data';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: FieldSpec[];
  commonStructs?: { name: string; versions: string; fields: FieldSpec[] }[];
}

// ---------------------------------------------------------------------------------------------
// Spec parsing

function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[++i] ?? '';
      } else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else out += c;
  }
  return out;
}

function parseRange(s: string | undefined): VersionRange | null {
  if (s === undefined || s === 'none') return null;
  const t = s.trim();
  if (t.endsWith('+')) return { min: Number(t.slice(0, -1)), max: Number.POSITIVE_INFINITY };
  const dash = t.indexOf('-');
  if (dash > 0) return { min: Number(t.slice(0, dash)), max: Number(t.slice(dash + 1)) };
  const n = Number(t);
  return { min: n, max: n };
}

function intersect(a: VersionRange | null, b: VersionRange | null): VersionRange | null {
  if (!a || !b) return null;
  const min = Math.max(a.min, b.min);
  const max = Math.min(a.max, b.max);
  return min <= max ? { min, max } : null;
}

/**
 * A JS boolean expression (over `v`) true exactly for versions in `range`, given that `v` is known
 * to lie within `within`. Returns 'true' / 'false' when the answer does not depend on v.
 */
function versionCond(range: VersionRange | null, within: VersionRange): string {
  const r = intersect(range, within);
  if (!r) return 'false';
  const parts: string[] = [];
  if (r.min > within.min) parts.push(`v >= ${r.min}`);
  if (r.max < within.max) parts.push(`v <= ${r.max}`);
  return parts.length === 0 ? 'true' : parts.join(' && ');
}

// ---------------------------------------------------------------------------------------------
// Model

interface StructModel {
  tsName: string;
  fields: FieldModel[];
  /** Versions at which this struct is encoded (the owning field's versions ∩ message versions). */
  versions: VersionRange;
}

interface FieldModel {
  spec: FieldSpec;
  prop: string;
  versions: VersionRange | null; // ∩ struct versions
  nullable: VersionRange | null;
  tagged: VersionRange | null;
  tag: number | undefined;
  flexible: VersionRange | null; // per-field override ∩ message flexible
  kind: 'primitive' | 'struct' | 'array';
  elementType: string; // primitive name or struct ts name
  elementIsStruct: boolean;
  struct?: StructModel;
  /** True for fields of a response: a nullable string there defaults to null, as Kafka answers. */
  inResponse: boolean;
}

const PRIMITIVES = new Set([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'string',
  'uuid',
  'bytes',
  'records',
]);

function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function tsPrimitive(t: string): string {
  switch (t) {
    case 'bool':
      return 'boolean';
    case 'int64':
      return 'bigint';
    case 'string':
    case 'uuid':
      return 'string';
    case 'bytes':
    case 'records':
      return 'Buffer';
    default:
      return 'number';
  }
}

class MessageModel {
  readonly spec: MessageSpec;
  readonly valid: VersionRange;
  readonly flexible: VersionRange | null;
  readonly structs: StructModel[] = [];
  readonly root: StructModel;
  private readonly common = new Map<string, { name: string; versions: string; fields: FieldSpec[] }>();

  constructor(spec: MessageSpec) {
    this.spec = spec;
    this.valid = parseRange(spec.validVersions)!;
    this.flexible = parseRange(spec.flexibleVersions);
    for (const c of spec.commonStructs ?? []) this.common.set(c.name, c);
    this.root = this.buildStruct(spec.name, spec.fields, this.valid);
  }

  private buildStruct(tsName: string, fields: FieldSpec[], versions: VersionRange): StructModel {
    const model: StructModel = { tsName, fields: [], versions };
    this.structs.push(model);
    for (const f of fields) model.fields.push(this.buildField(f, versions));
    return model;
  }

  private buildField(f: FieldSpec, within: VersionRange): FieldModel {
    const versions = intersect(parseRange(f.versions), within);
    const isArray = f.type.startsWith('[]');
    const elementType = isArray ? f.type.slice(2) : f.type;
    const elementIsStruct = !PRIMITIVES.has(elementType);
    const fieldFlexible = f.flexibleVersions !== undefined ? parseRange(f.flexibleVersions) : this.flexible;
    const model: FieldModel = {
      spec: f,
      prop: camel(f.name),
      versions,
      nullable: intersect(parseRange(f.nullableVersions), versions),
      tagged: intersect(parseRange(f.taggedVersions), versions),
      tag: f.tag,
      flexible: intersect(fieldFlexible, this.flexible),
      kind: isArray ? 'array' : elementIsStruct ? 'struct' : 'primitive',
      elementType,
      elementIsStruct,
      inResponse: this.spec.type === 'response',
    };
    if (elementIsStruct) {
      const common = f.fields ? undefined : this.common.get(elementType);
      const structFields = f.fields ?? common?.fields;
      if (!structFields) throw new Error(`${this.spec.name}: no definition for struct ${elementType}`);
      // A common struct is shared by several fields: encode it for every version it declares.
      const structVersions = (common ? intersect(parseRange(common.versions), this.valid) : versions) ?? {
        min: 0,
        max: -1,
      };
      const tsName = this.spec.name + elementType;
      const existing = this.structs.find((s) => s.tsName === tsName);
      model.struct = existing ?? this.buildStruct(tsName, structFields, structVersions);
      model.elementType = model.struct.tsName;
    }
    return model;
  }
}

// ---------------------------------------------------------------------------------------------
// Code emission

function fieldTsType(f: FieldModel): string {
  const base = f.elementIsStruct ? f.elementType : tsPrimitive(f.elementType);
  const t = f.kind === 'array' ? `${base}[]` : base;
  const nullable = f.nullable !== null || defaultIsNull(f);
  return nullable ? `${t} | null` : t;
}

function defaultIsNull(f: FieldModel): boolean {
  if (f.spec.default === 'null') return true;
  // records fields and nullable struct fields default to null.
  if (f.kind === 'primitive' && f.elementType === 'records') return true;
  if (f.kind === 'struct' && f.nullable !== null) return true;
  // A response's nullable string without a spec default answers null (Kafka's `errorMessage: null`
  // on success), in the versions where it is nullable; older versions write "" for null.
  if (f.inResponse && f.kind === 'primitive' && f.elementType === 'string' && f.nullable !== null)
    return f.spec.default === undefined;
  return false;
}

function defaultExpr(f: FieldModel): string {
  const d = f.spec.default;
  if (d === 'null' || defaultIsNull(f)) return 'null';
  if (f.kind === 'array') return '[]';
  if (f.kind === 'struct') return `default${f.elementType}()`;
  switch (f.elementType) {
    case 'bool':
      return d === true || d === 'true' ? 'true' : 'false';
    case 'int64':
      return d === undefined || d === '' ? '0n' : `${BigInt(String(d))}n`;
    case 'string':
      return JSON.stringify(d === undefined ? '' : String(d));
    case 'uuid':
      return `'${'0'.repeat(32)}'`;
    case 'bytes':
      return 'Buffer.alloc(0)';
    default: {
      if (d === undefined || d === '') return '0';
      const s = String(d);
      return s.startsWith('0x') ? String(Number.parseInt(s, 16)) : String(Number(s));
    }
  }
}

/** `value`, with null written as `empty` in the versions where the field is not nullable. */
function orEmpty(value: string, nullable: string, empty: string): string {
  if (nullable === 'true') return value;
  if (nullable === 'false') return `${value} ?? ${empty}`;
  return `(${nullable} ? ${value} : ${value} ?? ${empty})`;
}

/** Reads one primitive element. `flex` and `nullable` are JS boolean expressions. */
function readPrimitive(t: string, flex: string, nullable: string): string {
  const pick = (compact: string, classic: string): string =>
    flex === 'true' ? compact : flex === 'false' ? classic : `(${flex} ? ${compact} : ${classic})`;
  const nul = (yes: string, no: string): string =>
    nullable === 'true' ? yes : nullable === 'false' ? no : `(${nullable} ? ${yes} : ${no})`;
  switch (t) {
    case 'bool':
      return 'r.readBool()';
    case 'int8':
      return 'r.readInt8()';
    case 'int16':
      return 'r.readInt16()';
    case 'uint16':
      return 'r.readUInt16()';
    case 'int32':
      return 'r.readInt32()';
    case 'uint32':
      return 'r.readUInt32()';
    case 'int64':
      return 'r.readInt64()';
    case 'float64':
      return 'r.readFloat64()';
    case 'uuid':
      return 'r.readUuid()';
    case 'string':
      return nul(
        pick('r.readCompactNullableString()', 'r.readNullableString()'),
        pick('r.readCompactString()', 'r.readString()'),
      );
    case 'bytes':
    case 'records':
      return nul(
        pick('r.readCompactNullableBytes()', 'r.readNullableBytes()'),
        pick('r.readCompactBytes()', 'r.readBytes()'),
      );
    default:
      throw new Error(`unknown primitive ${t}`);
  }
}

function writePrimitive(t: string, value: string, flex: string, nullable: string): string {
  const pick = (compact: string, classic: string): string =>
    flex === 'true' ? compact : flex === 'false' ? classic : `if (${flex}) ${compact}; else ${classic}`;
  switch (t) {
    case 'bool':
      return `w.writeBool(${value})`;
    case 'int8':
      return `w.writeInt8(${value})`;
    case 'int16':
      return `w.writeInt16(${value})`;
    case 'uint16':
      return `w.writeUInt16(${value})`;
    case 'int32':
      return `w.writeInt32(${value})`;
    case 'uint32':
      return `w.writeUInt32(${value})`;
    case 'int64':
      return `w.writeInt64(${value})`;
    case 'float64':
      return `w.writeFloat64(${value})`;
    case 'uuid':
      return `w.writeUuid(${value})`;
    case 'string': {
      const v = orEmpty(value, nullable, "''");
      return pick(`w.writeCompactNullableString(${v})`, `w.writeNullableString(${v})`);
    }
    case 'bytes':
    case 'records': {
      const v = orEmpty(value, nullable, 'EMPTY');
      return pick(`w.writeCompactNullableBytes(${v})`, `w.writeNullableBytes(${v})`);
    }
    default:
      throw new Error(`unknown primitive ${t}`);
  }
}

const PRIMITIVE_MIN_SIZE: Record<string, [number, number]> = {
  // [classic, compact]
  bool: [1, 1],
  int8: [1, 1],
  int16: [2, 2],
  uint16: [2, 2],
  int32: [4, 4],
  uint32: [4, 4],
  int64: [8, 8],
  float64: [8, 8],
  uuid: [16, 16],
  string: [2, 1],
  bytes: [4, 1],
  records: [4, 1],
};

/** Smallest encoding of a struct at any of its versions: guards array counts before allocation. */
function structMinSize(s: StructModel, flexible: VersionRange | null): number {
  let best = Number.POSITIVE_INFINITY;
  const max = Number.isFinite(s.versions.max) ? s.versions.max : s.versions.min + 50;
  for (let v = s.versions.min; v <= max; v++) {
    const flex = flexible !== null && v >= flexible.min && v <= flexible.max;
    let size = flex ? 1 : 0;
    for (const f of s.fields) {
      if (!f.versions || v < f.versions.min || v > f.versions.max) continue;
      if (f.tagged && v >= f.tagged.min && v <= f.tagged.max) continue;
      if (f.kind === 'array') size += flex ? 1 : 4;
      else if (f.kind === 'struct') size += 1;
      else size += PRIMITIVE_MIN_SIZE[f.elementType]![flex ? 1 : 0];
    }
    best = Math.min(best, size);
  }
  return Number.isFinite(best) ? Math.max(best, 1) : 1;
}

function emitMessage(m: MessageModel): string {
  const out: string[] = [];
  const name = m.spec.name;
  const range = `${m.valid.min}-${m.valid.max}`;
  const flexText = m.flexible ? `${m.flexible.min}+` : 'none';
  out.push(`// Generated by scripts/generate-protocol.ts from Kafka's ${name}.json. Do not edit.`);
  out.push(`/** ${name}: versions ${range}, flexible versions ${flexText}. */`);
  out.push(`import type { Reader } from '../../primitives/reader.ts';`);
  out.push(`import { Writer } from '../../primitives/writer.ts';`);
  out.push(`import { type TaggedField, readTaggedFields, writeTaggedFields } from '../tagged-fields.ts';`);
  out.push('');
  out.push('const EMPTY = Buffer.alloc(0);');
  out.push(
    `export const ${name}Versions = { min: ${m.valid.min}, max: ${m.valid.max}, flexibleMin: ${m.flexible ? m.flexible.min : -1} } as const;`,
  );
  out.push('');

  for (const s of m.structs) {
    // interface
    out.push(`export interface ${s.tsName} {`);
    for (const f of s.fields) {
      const about = f.spec.about ? ` ${f.spec.about.replace(/\*\//g, '* /')}` : '';
      out.push(`  /**${about} Versions ${f.spec.versions ?? ''}. */`);
      out.push(`  ${f.prop}: ${fieldTsType(f)};`);
    }
    out.push('  /** Tagged fields this version of Samsa does not know, kept for re-encoding. */');
    out.push('  unknownTaggedFields?: TaggedField[];');
    out.push('}');
    out.push('');

    // default constructor
    out.push(`export function default${s.tsName}(): ${s.tsName} {`);
    out.push('  return {');
    for (const f of s.fields) out.push(`    ${f.prop}: ${defaultExpr(f)},`);
    out.push('  };');
    out.push('}');
    out.push('');

    if (s === m.root && m.spec.type === 'response' && s.fields.some((f) => f.prop === 'errorCode')) {
      out.push(
        `/** The answer to a request that failed as a whole (a handler that threw): \`errorCode\` set. */`,
      );
      out.push(`export function error${s.tsName}(errorCode: number): ${s.tsName} {`);
      out.push(`  return { ...default${s.tsName}(), errorCode };`);
      out.push('}');
      out.push('');
    }

    emitRead(out, m, s);
    emitWrite(out, m, s);
  }
  return out.join('\n');
}

function structFlexCond(m: MessageModel, s: StructModel): string {
  return versionCond(m.flexible, s.versions);
}

function emitRead(out: string[], m: MessageModel, s: StructModel): void {
  const isRoot = s === m.root;
  const fnName = isRoot ? `read${s.tsName}` : `read${s.tsName}`;
  const flex = structFlexCond(m, s);
  out.push(`export function ${fnName}(r: Reader, v: number): ${s.tsName} {`);
  if (s.fields.length === 0 && flex === 'false') {
    out.push(`  return default${s.tsName}();`);
    out.push('}');
    out.push('');
    return;
  }
  out.push(`  const m = default${s.tsName}();`);
  for (const f of s.fields) {
    if (!f.versions) continue;
    const present = versionCond(f.versions, s.versions);
    const untagged = f.tagged ? versionCond(invert(f.tagged, f.versions), s.versions) : present;
    if (untagged === 'false') continue;
    const body = readFieldExpr(m, s, f);
    const cond = untagged;
    if (cond === 'true') out.push(`  ${body}`);
    else out.push(`  if (${cond}) { ${body} }`);
  }
  const taggedFields = s.fields.filter((f) => f.tagged);
  if (flex !== 'false') {
    const lines: string[] = [];
    lines.push('readTaggedFields(r, (tag) => {');
    lines.push('    switch (tag) {');
    for (const f of taggedFields) {
      lines.push(`      case ${f.tag}:`);
      const tc = versionCond(f.tagged, s.versions);
      if (tc === 'true') lines.push(`        ${readFieldExpr(m, s, f, true)} return true;`);
      else {
        lines.push(`        if (${tc}) { ${readFieldExpr(m, s, f, true)} return true; }`);
        lines.push('        return false;');
      }
    }
    lines.push('      default:');
    lines.push('        return false;');
    lines.push('    }');
    lines.push(`  }, (t) => { (m.unknownTaggedFields ??= []).push(t); });`);
    const call = lines.join('\n');
    if (flex === 'true') out.push(`  ${call}`);
    else out.push(`  if (${flex}) {\n  ${call}\n  }`);
  }
  out.push('  return m;');
  out.push('}');
  out.push('');
}

function invert(tagged: VersionRange, versions: VersionRange): VersionRange | null {
  // Versions where the field is present but not tagged. Tagged ranges are always "N+" in specs, so
  // the untagged part is [versions.min, tagged.min - 1].
  if (tagged.min <= versions.min) return null;
  return { min: versions.min, max: Math.min(versions.max, tagged.min - 1) };
}

function readFieldExpr(m: MessageModel, s: StructModel, f: FieldModel, inTagged = false): string {
  const within = f.versions!;
  const flex = inTagged ? 'true' : versionCond(f.flexible, within);
  const nullable = versionCond(f.nullable, within);
  const target = `m.${f.prop}`;
  if (f.kind === 'primitive') {
    return `${target} = ${readPrimitive(f.elementType, flex, nullable)};`;
  }
  if (f.kind === 'struct') {
    const read = `read${f.elementType}(r, v)`;
    if (nullable === 'false') return `${target} = ${read};`;
    return `{ const present = ${nullable === 'true' ? 'r.readInt8() >= 0' : `!(${nullable}) || r.readInt8() >= 0`}; ${target} = present ? ${read} : null; }`;
  }
  // array
  const minSize = f.elementIsStruct
    ? structMinSize(f.struct!, m.flexible)
    : PRIMITIVE_MIN_SIZE[f.elementType]![flex === 'true' ? 1 : 0];
  const lenExpr =
    flex === 'true'
      ? `r.readCompactArrayLength(${minSize})`
      : flex === 'false'
        ? `r.readArrayLength(${minSize})`
        : `(${flex} ? r.readCompactArrayLength(${minSize}) : r.readArrayLength(${minSize}))`;
  const elem = f.elementIsStruct ? `read${f.elementType}(r, v)` : readPrimitive(f.elementType, flex, 'false');
  const nullCase =
    nullable === 'false'
      ? `throw new DecodeErrorForNull('${s.tsName}.${f.prop}')`
      : nullable === 'true'
        ? `${target} = null`
        : `if (${nullable}) ${target} = null; else throw new DecodeErrorForNull('${s.tsName}.${f.prop}')`;
  return `{ const n = ${lenExpr}; if (n < 0) { ${nullCase}; } else { const a = new Array(n); for (let i = 0; i < n; i++) a[i] = ${elem}; ${target} = a; } }`;
}

function emitWrite(out: string[], m: MessageModel, s: StructModel): void {
  const flex = structFlexCond(m, s);
  out.push(`export function write${s.tsName}(w: Writer, v: number, m: ${s.tsName}): void {`);
  for (const f of s.fields) {
    if (!f.versions) continue;
    const present = versionCond(f.versions, s.versions);
    const untagged = f.tagged ? versionCond(invert(f.tagged, f.versions), s.versions) : present;
    if (untagged === 'false') continue;
    const body = writeFieldStmt(f, false);
    if (untagged === 'true') out.push(`  ${body}`);
    else out.push(`  if (${untagged}) { ${body} }`);
  }
  if (flex !== 'false') {
    const taggedFields = s.fields.filter((f) => f.tagged);
    const lines: string[] = [];
    lines.push('{');
    lines.push(
      '    let tagged: TaggedField[] | undefined = m.unknownTaggedFields ? [...m.unknownTaggedFields] : undefined;',
    );
    for (const f of taggedFields) {
      const cond = versionCond(f.tagged, s.versions);
      const notDefault = isNotDefaultExpr(f);
      lines.push(
        `    if (${cond === 'true' ? '' : `(${cond}) && `}${notDefault}) { const t = new Writer(64); ((w: Writer) => { ${writeFieldStmt(f, true)} })(t); (tagged ??= []).push({ tag: ${f.tag}, data: t.toBuffer() }); }`,
      );
    }
    lines.push('    if (tagged) writeTaggedFields(w, tagged); else w.writeUVarint(0);');
    lines.push('  }');
    const block = lines.join('\n');
    if (flex === 'true') out.push(`  ${block}`);
    else out.push(`  if (${flex}) ${block}`);
  }
  out.push('}');
  out.push('');
}

function isNotDefaultExpr(f: FieldModel): string {
  const p = `m.${f.prop}`;
  if (f.kind === 'array') return defaultIsNull(f) ? `${p} !== null` : `${p} !== null && ${p}.length > 0`;
  if (f.kind === 'struct') {
    if (defaultIsNull(f)) return `${p} !== null`;
    return f.nullable
      ? `${p} !== null && !isDefault${f.elementType}(${p})`
      : `!isDefault${f.elementType}(${p})`;
  }
  if (f.elementType === 'bytes' || f.elementType === 'records') return `${p} !== null && ${p}.length > 0`;
  return `${p} !== ${defaultExpr(f)}`;
}

function writeFieldStmt(f: FieldModel, inTagged: boolean): string {
  const within = f.versions!;
  const flex = inTagged ? 'true' : versionCond(f.flexible, within);
  const nullable = versionCond(f.nullable, within);
  const p = `m.${f.prop}`;
  if (f.kind === 'primitive') return `${writePrimitive(f.elementType, p, flex, nullable)};`;
  if (f.kind === 'struct') {
    const write = `write${f.elementType}(w, v, ${p}!)`;
    if (nullable === 'false') return `${write};`;
    const marker = `if (${p} === null) w.writeInt8(-1); else { w.writeInt8(1); ${write}; }`;
    return nullable === 'true' ? marker : `if (${nullable}) { ${marker} } else { ${write}; }`;
  }
  const lenStmt = (n: string): string =>
    flex === 'true'
      ? `w.writeCompactArrayLength(${n})`
      : flex === 'false'
        ? `w.writeArrayLength(${n})`
        : `if (${flex}) w.writeCompactArrayLength(${n}); else w.writeArrayLength(${n})`;
  const elem = f.elementIsStruct
    ? `write${f.elementType}(w, v, e)`
    : writePrimitive(f.elementType, 'e', flex, 'false');
  return `if (${p} === null) { ${lenStmt('-1')}; } else { ${lenStmt(`${p}.length`)}; for (const e of ${p}) { ${elem}; } }`;
}

function emitIsDefault(m: MessageModel): string {
  // isDefault<Struct> helpers for structs used as tagged fields.
  const out: string[] = [];
  const wanted = new Set<string>();
  for (const s of m.structs)
    for (const f of s.fields) if (f.tagged && f.kind === 'struct') wanted.add(f.elementType);
  for (const s of m.structs) {
    if (!wanted.has(s.tsName)) continue;
    const checks = s.fields.map((f) => {
      if (f.kind === 'primitive' && !['bytes', 'records'].includes(f.elementType))
        return `m.${f.prop} === ${defaultExpr(f)}`;
      if (f.kind === 'array') return `(m.${f.prop}?.length ?? 0) === 0`;
      return `m.${f.prop} === null`;
    });
    out.push(`function isDefault${s.tsName}(m: ${s.tsName}): boolean {`);
    out.push(`  return ${checks.length ? checks.join(' && ') : 'true'};`);
    out.push('}');
    out.push('');
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Random samples for round-trip tests (emitted under test/, not shipped)

function sampleExpr(f: FieldModel, within: VersionRange): string {
  const nullable = versionCond(f.nullable, within);
  const canNull = nullable === 'false' ? 'false' : nullable;
  const orNull = (e: string): string =>
    canNull === 'false' ? e : `(${canNull}) && g.chance(0.2) ? null : ${e}`;
  if (f.kind === 'array') {
    const elem = f.elementIsStruct ? `sample${f.elementType}(g, v)` : samplePrimitive(f.elementType);
    return orNull(`g.array(() => ${elem})`);
  }
  if (f.kind === 'struct') return orNull(`sample${f.elementType}(g, v)`);
  return orNull(samplePrimitive(f.elementType));
}

function samplePrimitive(t: string): string {
  switch (t) {
    case 'bool':
      return 'g.bool()';
    case 'int8':
      return 'g.int(-128, 127)';
    case 'int16':
      return 'g.int(-32768, 32767)';
    case 'uint16':
      return 'g.int(0, 65535)';
    case 'int32':
      return 'g.int(-2147483648, 2147483647)';
    case 'uint32':
      return 'g.int(0, 4294967295)';
    case 'int64':
      return 'g.bigint()';
    case 'float64':
      return 'g.float()';
    case 'uuid':
      return 'g.uuid()';
    case 'string':
      return 'g.string()';
    default:
      return 'g.bytes()';
  }
}

function emitSamples(m: MessageModel): string {
  const mod = `../../../../src/protocol/generated/${isInternal(m) ? 'internal' : 'messages'}/${kebab(m.spec.name)}.ts`;
  const out: string[] = [];
  out.push(`// Generated by scripts/generate-protocol.ts from Kafka's ${m.spec.name}.json. Do not edit.`);
  out.push(
    `/** Random ${m.spec.name} values for round-trip tests: fields absent from a version keep their defaults. */`,
  );
  const names = m.structs.map((s) => s.tsName);
  out.push(`import type { ${names.join(', ')} } from '${mod}';`);
  out.push(`import { ${names.map((n) => `default${n}`).join(', ')} } from '${mod}';`);
  out.push(`import type { SampleGen } from '../../sample-gen.ts';`);
  out.push('');
  for (const s of m.structs) {
    out.push(`export function sample${s.tsName}(g: SampleGen, v: number): ${s.tsName} {`);
    out.push(`  const m = default${s.tsName}();`);
    for (const f of s.fields) {
      if (!f.versions) continue;
      const cond = versionCond(f.versions, s.versions);
      if (cond === 'false') continue;
      const stmt = `m.${f.prop} = ${sampleExpr(f, f.versions)};`;
      out.push(cond === 'true' ? `  ${stmt}` : `  if (${cond}) ${stmt}`);
    }
    out.push('  return m;');
    out.push('}');
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

const internalNames = new Set<string>();
function isInternal(m: MessageModel): boolean {
  return internalNames.has(m.spec.name);
}

// ---------------------------------------------------------------------------------------------
// Files

function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

function loadSpecs(dir: string): MessageSpec[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(stripComments(readFileSync(join(dir, f), 'utf8'))) as MessageSpec);
}

const TAGGED_FIELDS_TS = `// Generated by scripts/generate-protocol.ts. Do not edit.
/** Tagged-field section codec shared by every flexible message version. */
import type { Reader } from '../primitives/reader.ts';
import type { Writer } from '../primitives/writer.ts';

/** A tagged field as raw bytes: unknown tags are carried through decode and re-encode. */
export interface TaggedField {
  tag: number;
  data: Buffer;
}

/**
 * Reads a tagged-field section. \`known\` decodes a known tag in place and returns true; any tag it
 * does not claim is passed to \`unknown\` as raw bytes. A known tag must consume exactly its size.
 */
export function readTaggedFields(
  r: Reader,
  known: (tag: number) => boolean,
  unknown: (field: TaggedField) => void,
): void {
  const count = r.readUVarint();
  r.ensure(count * 2);
  for (let i = 0; i < count; i++) {
    const tag = r.readUVarint();
    const size = r.readUVarint();
    r.ensure(size);
    const end = r.offset + size;
    if (known(tag)) {
      r.offset = end;
    } else {
      unknown({ tag, data: r.readRaw(size) });
    }
  }
}

/** Writes a tagged-field section, sorted by tag as the protocol requires. */
export function writeTaggedFields(w: Writer, fields: TaggedField[]): void {
  if (fields.length > 1) fields.sort((a, b) => a.tag - b.tag);
  w.writeUVarint(fields.length);
  for (const f of fields) {
    w.writeUVarint(f.tag);
    w.writeUVarint(f.data.length);
    w.writeRaw(f.data);
  }
}
`;

function emitFile(model: MessageModel): string {
  let code = emitMessage(model);
  code += emitIsDefault(model);
  if (code.includes('DecodeErrorForNull')) {
    code = code.replace(
      "import { Writer } from '../../primitives/writer.ts';",
      "import { Writer } from '../../primitives/writer.ts';\nimport { DecodeError } from '../../primitives/decode-error.ts';",
    );
    code += `\nclass DecodeErrorForNull extends DecodeError {\n  constructor(field: string) {\n    super(\`\${field}: null array in a version where it is not nullable\`);\n  }\n}\n`;
  }
  // Writer is only used as a value when a tagged field is encoded.
  if (!code.includes('new Writer(')) {
    code = code.replace(
      "import { Writer } from '../../primitives/writer.ts';",
      "import type { Writer } from '../../primitives/writer.ts';",
    );
  }
  if (!code.includes('EMPTY ') && !code.includes('EMPTY)'))
    code = code.replace('const EMPTY = Buffer.alloc(0);\n', '');
  const usesTagged = code.includes('readTaggedFields(') || code.includes('writeTaggedFields(');
  if (!usesTagged) {
    code = code.replace(
      "import { type TaggedField, readTaggedFields, writeTaggedFields } from '../tagged-fields.ts';",
      "import type { TaggedField } from '../tagged-fields.ts';",
    );
  }
  return `${code.trimEnd()}\n`;
}

function emitApiKeys(requests: MessageModel[], responses: Map<number, MessageModel>): string {
  const rows = requests
    .filter((m) => m.spec.apiKey !== undefined)
    .sort((a, b) => a.spec.apiKey! - b.spec.apiKey!)
    .map((m) => {
      const resp = responses.get(m.spec.apiKey!);
      const apiName = m.spec.name.replace(/Request$/, '');
      return `  { apiKey: ${m.spec.apiKey}, name: '${apiName}', minVersion: ${m.valid.min}, maxVersion: ${m.valid.max}, flexibleMin: ${m.flexible ? m.flexible.min : -1}, module: '${kebab(m.spec.name.replace(/Request$/, ''))}', responseFlexibleMin: ${resp?.flexible ? resp.flexible.min : -1} },`;
    });
  return `// Generated by scripts/generate-protocol.ts. Do not edit.
/**
 * Every API key in Kafka's specs with its version range and first flexible version.
 * Request header: v2 for flexible versions, else v1. Response header: v1 for flexible versions,
 * else v0 — except ApiVersions, whose response always uses header v0 (KIP-511).
 */
export interface ApiKeyInfo {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible version, or -1 when no version is flexible. */
  readonly flexibleMin: number;
  /** Module base name in generated/messages (\`<module>-request.ts\`, \`<module>-response.ts\`). */
  readonly module: string;
  readonly responseFlexibleMin: number;
}

export const API_KEYS: readonly ApiKeyInfo[] = [
${rows.join('\n')}
];

export const API_KEY_BY_ID: ReadonlyMap<number, ApiKeyInfo> = new Map(API_KEYS.map((a) => [a.apiKey, a]));

export function requestHeaderVersion(apiKey: number, version: number): number {
  const info = API_KEY_BY_ID.get(apiKey);
  if (apiKey === 7 && version === 0) return 0; // ControlledShutdown v0 has no client id
  return info && info.flexibleMin >= 0 && version >= info.flexibleMin ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, version: number): number {
  if (apiKey === 18) return 0;
  const info = API_KEY_BY_ID.get(apiKey);
  return info && info.responseFlexibleMin >= 0 && version >= info.responseFlexibleMin ? 1 : 0;
}
`;
}

function generate(): Map<string, string> {
  const files = new Map<string, string>();
  files.set('tagged-fields.ts', TAGGED_FIELDS_TS);
  const specs = loadSpecs(join(specRoot, 'messages'));
  const requests: MessageModel[] = [];
  const responses = new Map<number, MessageModel>();
  for (const spec of specs) {
    const model = new MessageModel(spec);
    if (spec.type === 'request') requests.push(model);
    if (spec.type === 'response' && spec.apiKey !== undefined) responses.set(spec.apiKey, model);
    files.set(`messages/${kebab(spec.name)}.ts`, emitFile(model));
    files.set(`@test/messages/${kebab(spec.name)}.ts`, emitSamples(model));
  }
  for (const spec of loadSpecs(join(specRoot, 'internal'))) {
    internalNames.add(spec.name);
    const model = new MessageModel(spec);
    files.set(`internal/${kebab(spec.name)}.ts`, emitFile(model));
    files.set(`@test/internal/${kebab(spec.name)}.ts`, emitSamples(model));
  }
  files.set('api-keys.ts', emitApiKeys(requests, responses));
  return files;
}

// ---------------------------------------------------------------------------------------------

const check = process.argv.includes('--check');
if (!existsSync(join(specRoot, 'messages'))) {
  console.log(`generate-protocol: ${specRoot} not found; nothing to ${check ? 'check' : 'generate'}.`);
  process.exit(0);
}
const files = generate();
if (check) {
  const stale: string[] = [];
  for (const [rel, content] of files) {
    const path = outPath(rel);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== content) stale.push(rel);
  }
  for (const sub of ['messages', 'internal', '@test/messages', '@test/internal']) {
    const dir = outPath(sub);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir))
      if (!files.has(`${sub}/${f}`)) stale.push(`${sub}/${f} (not generated)`);
  }
  if (stale.length) {
    console.error(
      `generated protocol code is stale (${stale.length} files), run npm run generate:\n  ${stale.slice(0, 20).join('\n  ')}`,
    );
    process.exit(1);
  }
  console.log(`generated protocol code is up to date (${files.size} files)`);
} else {
  for (const sub of ['messages', 'internal', '@test/messages', '@test/internal']) {
    rmSync(outPath(sub), { recursive: true, force: true });
  }
  for (const [rel, content] of files) {
    const path = outPath(rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  console.log(`wrote ${files.size} files to ${outDir}`);
}
