/**
 * Confluent's Protobuf compatibility rules, comparing the old file (original) with the new one
 * (update) by message and enum names and by field numbers:
 *
 * - compatible: messages/enums/fields/oneofs added or removed (except required fields), field
 *   renames, enum constants added/removed/renamed, messages moved, string/bytes/message fields
 *   changing between singular and repeated;
 * - incompatible: package changed, message removed, a field's kind changed (scalar, message, map),
 *   its scalar kind changed outside Protobuf's wire-compatible groups (int32/int64/uint32/uint64/
 *   bool and enums; sint32/sint64; string/bytes; fixed32/sfixed32; fixed64/sfixed64; float;
 *   double), a message-typed field's type renamed or changed incompatibly, a numeric field changing
 *   between singular and repeated, required fields added or removed, a oneof losing a field,
 *   several existing fields moved into one oneof, a field moved into an existing oneof.
 *
 * Paths are `#/Message/<field number>` (nested names joined with `.`).
 */
import protobuf from 'protobufjs';
import { mainDefinitions, type ProtoFile } from './file.ts';

export const COMPATIBLE_CHANGES = new Set([
  'MESSAGE_ADDED',
  'MESSAGE_MOVED',
  'ENUM_ADDED',
  'ENUM_REMOVED',
  'ENUM_CONST_ADDED',
  'ENUM_CONST_CHANGED',
  'ENUM_CONST_REMOVED',
  'FIELD_ADDED',
  'FIELD_REMOVED',
  'FIELD_NAME_CHANGED',
  'FIELD_STRING_OR_BYTES_LABEL_CHANGED',
  'ONEOF_ADDED',
  'ONEOF_REMOVED',
  'ONEOF_FIELD_ADDED',
]);

export interface ProtoDifference {
  type: string;
  path: string;
}

const SCALAR_KINDS: Record<string, string> = {
  int32: 'GENERAL_NUMBER',
  int64: 'GENERAL_NUMBER',
  uint32: 'GENERAL_NUMBER',
  uint64: 'GENERAL_NUMBER',
  bool: 'GENERAL_NUMBER',
  sint32: 'SIGNED_NUMBER',
  sint64: 'SIGNED_NUMBER',
  string: 'STRING_OR_BYTES',
  bytes: 'STRING_OR_BYTES',
  fixed32: 'FIXED32',
  sfixed32: 'FIXED32',
  fixed64: 'FIXED64',
  sfixed64: 'FIXED64',
  float: 'FLOAT',
  double: 'DOUBLE',
};

class Context {
  readonly path: string[];
  readonly diffs: ProtoDifference[] = [];
  readonly visited: Set<string>;

  constructor(path: string[] = [], visited = new Set<string>()) {
    this.path = path;
    this.visited = visited;
  }

  sub(): Context {
    return new Context([...this.path], this.visited);
  }

  at<T>(segment: string, fn: () => T): T {
    this.path.push(segment);
    try {
      return fn();
    } finally {
      this.path.pop();
    }
  }

  add(type: string): void {
    this.diffs.push({ type, path: `#/${this.path.join('/')}` });
  }

  compatible(): boolean {
    return this.diffs.every((d) => COMPATIBLE_CHANGES.has(d.type));
  }
}

type Kind = 'SCALAR' | 'MAP' | 'MESSAGE';

function isMap(field: protobuf.Field): boolean {
  return field instanceof protobuf.MapField || (field as unknown as protobuf.MapField).map === true;
}

function kindOf(field: protobuf.Field): Kind {
  if (isMap(field)) return 'MAP';
  if (SCALAR_KINDS[field.type] !== undefined || field.resolvedType instanceof protobuf.Enum) return 'SCALAR';
  return 'MESSAGE';
}

function scalarKind(type: string, resolved: protobuf.ReflectionObject | null): string {
  if (resolved instanceof protobuf.Enum) return 'GENERAL_NUMBER';
  return SCALAR_KINDS[type] ?? 'ANY';
}

/** A type's name without its package, for comparing message types across packages. */
function localName(type: protobuf.ReflectionObject): string {
  let at: protobuf.ReflectionObject | null = type;
  const parts: string[] = [];
  while (at && (at instanceof protobuf.Type || at instanceof protobuf.Enum)) {
    parts.unshift(at.name);
    at = at.parent;
  }
  return parts.join('.');
}

function compareValueTypes(
  ctx: Context,
  originalType: string,
  originalResolved: protobuf.ReflectionObject | null,
  updateType: string,
  updateResolved: protobuf.ReflectionObject | null,
): void {
  const ok = SCALAR_KINDS[originalType] !== undefined || originalResolved instanceof protobuf.Enum;
  const uk = SCALAR_KINDS[updateType] !== undefined || updateResolved instanceof protobuf.Enum;
  if (ok !== uk) {
    ctx.add('FIELD_KIND_CHANGED');
    return;
  }
  if (ok) {
    if (scalarKind(originalType, originalResolved) !== scalarKind(updateType, updateResolved))
      ctx.add('FIELD_SCALAR_KIND_CHANGED');
    return;
  }
  compareMessageTypes(ctx, originalResolved, updateResolved);
}

function compareMessageTypes(
  ctx: Context,
  original: protobuf.ReflectionObject | null,
  update: protobuf.ReflectionObject | null,
): void {
  if (!(original instanceof protobuf.Type) || !(update instanceof protobuf.Type)) {
    if (original?.fullName !== update?.fullName) ctx.add('FIELD_NAMED_TYPE_CHANGED');
    return;
  }
  if (localName(original) !== localName(update)) {
    ctx.add('FIELD_NAMED_TYPE_CHANGED');
    return;
  }
  const sub = ctx.sub();
  compareMessages(sub, original, update);
  ctx.diffs.push(...sub.diffs);
  if (!sub.compatible()) ctx.add('FIELD_NAMED_TYPE_CHANGED');
}

function compareFields(ctx: Context, original: protobuf.Field, update: protobuf.Field): void {
  if (original.name !== update.name) ctx.add('FIELD_NAME_CHANGED');
  const ok = kindOf(original);
  const uk = kindOf(update);
  if (ok !== uk) {
    ctx.add('FIELD_KIND_CHANGED');
    return;
  }
  if (ok === 'MAP') {
    const a = original as unknown as protobuf.MapField;
    const b = update as unknown as protobuf.MapField;
    compareValueTypes(ctx, a.keyType, null, b.keyType, null);
    compareValueTypes(ctx, a.type, a.resolvedType, b.type, b.resolvedType);
    return;
  }
  if (ok === 'SCALAR') {
    if (scalarKind(original.type, original.resolvedType) !== scalarKind(update.type, update.resolvedType))
      ctx.add('FIELD_SCALAR_KIND_CHANGED');
  } else compareMessageTypes(ctx, original.resolvedType, update.resolvedType);
  if (original.repeated !== update.repeated) {
    const stringOrMessage =
      ok === 'MESSAGE' || scalarKind(original.type, original.resolvedType) === 'STRING_OR_BYTES';
    ctx.add(stringOrMessage ? 'FIELD_STRING_OR_BYTES_LABEL_CHANGED' : 'FIELD_NUMERIC_LABEL_CHANGED');
  }
}

function realOneofs(type: protobuf.Type): protobuf.OneOf[] {
  return type.oneofsArray.filter(
    (o) => !(o.fieldsArray.length === 1 && o.fieldsArray[0]!.options?.proto3_optional === true),
  );
}

function compareMessages(ctx: Context, original: protobuf.Type, update: protobuf.Type): void {
  const key = `${original.fullName}|${update.fullName}`;
  if (!ctx.visited.has(key)) {
    ctx.visited.add(key);
    const oneofsOf = (t: protobuf.Type) => new Map(realOneofs(t).map((o) => [o.name, o]));
    const originalOneofs = oneofsOf(original);
    const updateOneofs = oneofsOf(update);
    const topLevel = (t: protobuf.Type, oneofs: Map<string, protobuf.OneOf>) => {
      const inOneof = new Set([...oneofs.values()].flatMap((o) => o.fieldsArray));
      return new Map(t.fieldsArray.filter((f) => !inOneof.has(f)).map((f) => [f.id, f]));
    };
    const originalByTag = topLevel(original, originalOneofs);
    const updateByTag = topLevel(update, updateOneofs);
    const originalAll = new Map(original.fieldsArray.map((f) => [f.id, f]));
    const updateAll = new Map(update.fieldsArray.map((f) => [f.id, f]));
    const oneofOf = (oneofs: Map<string, protobuf.OneOf>) => {
      const out = new Map<number, string>();
      for (const o of oneofs.values()) for (const f of o.fieldsArray) out.set(f.id, o.name);
      return out;
    };
    const originalTagOneof = oneofOf(originalOneofs);
    const updateTagOneof = oneofOf(updateOneofs);

    for (const oneof of updateOneofs.values()) {
      ctx.at(oneof.name, () => {
        let moved = 0;
        let existing = 0;
        for (const f of oneof.fieldsArray) {
          if (originalByTag.delete(f.id)) moved++;
          else if (originalTagOneof.has(f.id)) existing++;
        }
        if (moved > 1) ctx.add('MULTIPLE_FIELDS_MOVED_TO_ONEOF');
        else if (moved === 1 && existing > 0) ctx.add('FIELD_MOVED_TO_EXISTING_ONEOF');
      });
    }
    for (const name of new Set([...originalOneofs.keys(), ...updateOneofs.keys()])) {
      ctx.at(name, () => {
        const a = originalOneofs.get(name);
        const b = updateOneofs.get(name);
        if (!b) {
          ctx.add('ONEOF_REMOVED');
          return;
        }
        if (!a) {
          ctx.add('ONEOF_ADDED');
          return;
        }
        const aByTag = new Map(a.fieldsArray.map((f) => [f.id, f]));
        const bByTag = new Map(b.fieldsArray.map((f) => [f.id, f]));
        for (const tag of [...new Set([...aByTag.keys(), ...bByTag.keys()])].sort((x, y) => x - y)) {
          ctx.at(String(tag), () => {
            const fa = aByTag.get(tag);
            const fb = bByTag.get(tag);
            if (!fb) {
              if (!updateAll.has(tag)) ctx.add('ONEOF_FIELD_REMOVED');
            } else if (!fa) ctx.add('ONEOF_FIELD_ADDED');
            else compareFields(ctx, fa, fb);
          });
        }
      });
    }
    for (const tag of [...new Set([...originalByTag.keys(), ...updateByTag.keys()])].sort((x, y) => x - y)) {
      ctx.at(String(tag), () => {
        const a = originalByTag.get(tag);
        const b = updateByTag.get(tag);
        if (!b) ctx.add(a!.rule === 'required' ? 'REQUIRED_FIELD_REMOVED' : 'FIELD_REMOVED');
        else if (!a) ctx.add(b.rule === 'required' ? 'REQUIRED_FIELD_ADDED' : 'FIELD_ADDED');
        else compareFields(ctx, a, b);
      });
    }
    const common = [...originalAll.keys()].filter((t) => updateAll.has(t)).sort((x, y) => x - y);
    for (const tag of common) {
      const a = originalTagOneof.get(tag);
      const b = updateTagOneof.get(tag);
      if ((a === undefined && b === undefined) || (a !== undefined && a === b)) continue;
      ctx.at(String(tag), () => compareFields(ctx, originalAll.get(tag)!, updateAll.get(tag)!));
    }
  }
  compareDefinitions(ctx, original.nestedArray, update.nestedArray);
}

function compareEnums(ctx: Context, original: protobuf.Enum, update: protobuf.Enum): void {
  const byNumber = (e: protobuf.Enum) => {
    const out = new Map<number, string>();
    for (const [name, n] of Object.entries(e.values)) if (!out.has(n)) out.set(n, name);
    return out;
  };
  const a = byNumber(original);
  const b = byNumber(update);
  for (const n of new Set([...a.keys(), ...b.keys()])) {
    ctx.at(String(n), () => {
      if (!b.has(n)) ctx.add('ENUM_CONST_REMOVED');
      else if (!a.has(n)) ctx.add('ENUM_CONST_ADDED');
      else if (a.get(n) !== b.get(n)) ctx.add('ENUM_CONST_CHANGED');
    });
  }
}

function compareDefinitions(
  ctx: Context,
  original: readonly protobuf.ReflectionObject[],
  update: readonly protobuf.ReflectionObject[],
): void {
  const collect = (defs: readonly protobuf.ReflectionObject[]) => {
    const messages = new Map<string, [protobuf.Type, number]>();
    const enums = new Map<string, protobuf.Enum>();
    let index = 0;
    for (const d of defs) {
      if (d instanceof protobuf.Type) messages.set(d.name, [d, index++]);
      else if (d instanceof protobuf.Enum) enums.set(d.name, d);
    }
    return { messages, enums };
  };
  const a = collect(original);
  const b = collect(update);
  for (const name of new Set([...a.messages.keys(), ...b.messages.keys()])) {
    ctx.at(name, () => {
      const x = a.messages.get(name);
      const y = b.messages.get(name);
      if (!y) {
        ctx.add('MESSAGE_REMOVED');
        return;
      }
      if (!x) {
        ctx.add('MESSAGE_ADDED');
        return;
      }
      compareMessages(ctx, x[0], y[0]);
      if (x[1] !== y[1]) ctx.add('MESSAGE_MOVED');
    });
  }
  for (const name of new Set([...a.enums.keys(), ...b.enums.keys()])) {
    ctx.at(name, () => {
      const x = a.enums.get(name);
      const y = b.enums.get(name);
      if (!y) {
        ctx.add('ENUM_REMOVED');
        return;
      }
      if (!x) {
        ctx.add('ENUM_ADDED');
        return;
      }
      compareEnums(ctx, x, y);
    });
  }
}

/** Every difference between the old file and the new one. */
export function protobufDifferences(original: ProtoFile, update: ProtoFile): ProtoDifference[] {
  const ctx = new Context();
  if ((original.package ?? '') !== (update.package ?? '')) ctx.add('PACKAGE_CHANGED');
  compareDefinitions(ctx, mainDefinitions(original), mainDefinitions(update));
  return ctx.diffs;
}

/** Confluent's message for one difference, `%s` standing for the reader's and writer's side. */
export function describeProtoDifference(d: ProtoDifference): string {
  const p = d.path;
  const descriptions: Record<string, string> = {
    PACKAGE_CHANGED: `The package at '${p}' in the %s schema does not match the package in the %s schema`,
    MESSAGE_REMOVED: `The %s schema is missing a MESSAGE type at path '${p}' in the %s schema`,
    FIELD_KIND_CHANGED: `The type of a field at path '${p}' in the %s schema does not match the %s schema`,
    FIELD_SCALAR_KIND_CHANGED: `The kind of a SCALAR field at path '${p}' in the %s schema does not match its kind in the %s schema`,
    FIELD_NAMED_TYPE_CHANGED: `The type of a MESSAGE field at path '${p}' in the %s schema does not match its type in the %s schema`,
    FIELD_NUMERIC_LABEL_CHANGED: `The label for a NUMERIC field at path '${p}' in the %s schema does not match its label in the %s schema`,
    REQUIRED_FIELD_ADDED: `A required field  at path '${p}' in the %s schema is missing in the %s schema`,
    REQUIRED_FIELD_REMOVED: `The %s schema is missing a required field at path: '${p}' in the %s schema`,
    ONEOF_FIELD_REMOVED: `The %s schema is missing a oneof field at path '${p}' in the %s schema`,
    MULTIPLE_FIELDS_MOVED_TO_ONEOF: `Multiple fields in the oneof at path '${p}' in the %s schema are outside a oneof in the %s schema`,
    FIELD_MOVED_TO_EXISTING_ONEOF: `A field in the oneof at path '${p}' in the %s schema is outside an existing oneof in the %s schema`,
  };
  return `{errorType:"${d.type}", description:"${descriptions[d.type] ?? ''}"}`;
}
