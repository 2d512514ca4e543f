/**
 * The registry's state as the `_schemas` records build it, applied in log order: subjects with
 * their versions (soft-deleted ones flagged), schema contents by global id, the largest id seen,
 * and compatibility configs and modes (global under the null subject). Pure and synchronous: every
 * registry instance applies the same records and reaches the same state, which is how followers
 * agree with the leader.
 */
import type { SchemaReference, SchemaType } from '../schemas/parsed-schema.ts';
import {
  type ConfigValue,
  decodeConfigValue,
  decodeDeleteSubjectValue,
  decodeKey,
  decodeModeValue,
  decodeSchemaValue,
  type SchemaValue,
} from './records.ts';

export interface StoredSchema {
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
}

/** Identifies schema content: type, text and references (what makes two registrations "the same"). */
export function contentKey(s: StoredSchema): string {
  const refs = s.references.map((r) => `${r.name}\u0000${r.subject}\u0000${r.version}`).join('\u0001');
  return `${s.schemaType}\u0002${refs}\u0002${s.schema}`;
}

export class RegistryState {
  /** subject → version → entry. */
  readonly subjects = new Map<string, Map<number, SchemaValue>>();
  /** id → content. */
  readonly schemasById = new Map<number, StoredSchema>();
  /** content key → id. */
  readonly idsByContent = new Map<string, number>();
  readonly configs = new Map<string | null, ConfigValue>();
  readonly modes = new Map<string | null, string>();
  maxId = 0;
  /** Bumped on every applied change (caches key on it). */
  generation = 0;

  /** Applies one `_schemas` record; throws RecordFormatError for records it cannot read. */
  apply(keyBytes: Buffer, valueBytes: Buffer | null): void {
    const key = decodeKey(keyBytes);
    if (key === null) return;
    this.generation++;
    switch (key.keytype) {
      case 'SCHEMA':
        if (valueBytes === null) this.removeVersion(key.subject, key.version);
        else this.putVersion(decodeSchemaValue(valueBytes));
        return;
      case 'CONFIG':
        if (valueBytes === null) this.configs.delete(key.subject);
        else this.configs.set(key.subject, decodeConfigValue(valueBytes));
        return;
      case 'MODE':
        if (valueBytes === null) this.modes.delete(key.subject);
        else this.modes.set(key.subject, decodeModeValue(valueBytes).mode);
        return;
      case 'DELETE_SUBJECT': {
        if (valueBytes === null) return;
        const { subject, version } = decodeDeleteSubjectValue(valueBytes);
        for (const entry of this.subjects.get(subject)?.values() ?? []) {
          if (entry.version <= version) entry.deleted = true;
        }
        return;
      }
      case 'CLEAR_SUBJECT':
        if (valueBytes === null) return;
        for (const version of [...(this.subjects.get(key.subject)?.keys() ?? [])]) {
          if (this.subjects.get(key.subject)?.get(version)?.deleted) this.removeVersion(key.subject, version);
        }
        return;
      case 'NOOP':
        return;
    }
  }

  private putVersion(value: SchemaValue): void {
    let versions = this.subjects.get(value.subject);
    if (!versions) this.subjects.set(value.subject, (versions = new Map()));
    versions.set(value.version, value);
    const content: StoredSchema = {
      schemaType: value.schemaType,
      schema: value.schema,
      references: value.references,
    };
    if (!this.schemasById.has(value.id)) this.schemasById.set(value.id, content);
    const key = contentKey(content);
    if (!this.idsByContent.has(key)) this.idsByContent.set(key, value.id);
    if (value.id > this.maxId) this.maxId = value.id;
  }

  private removeVersion(subject: string, version: number): void {
    const versions = this.subjects.get(subject);
    const entry = versions?.get(version);
    if (!versions || !entry) return;
    versions.delete(version);
    if (versions.size === 0) this.subjects.delete(subject);
    if (!this.idInUse(entry.id)) {
      const content = this.schemasById.get(entry.id);
      this.schemasById.delete(entry.id);
      if (content && this.idsByContent.get(contentKey(content)) === entry.id)
        this.idsByContent.delete(contentKey(content));
    }
  }

  private idInUse(id: number): boolean {
    for (const versions of this.subjects.values())
      for (const v of versions.values()) if (v.id === id) return true;
    return false;
  }

  /** Versions of a subject in order, soft-deleted ones only when asked. */
  versions(subject: string, includeDeleted = false): SchemaValue[] {
    const versions = this.subjects.get(subject);
    if (!versions) return [];
    return [...versions.values()]
      .filter((v) => includeDeleted || !v.deleted)
      .sort((a, b) => a.version - b.version);
  }

  /** Whether the subject has versions (soft-deleted ones count when asked). */
  hasSubject(subject: string, includeDeleted = false): boolean {
    return this.versions(subject, includeDeleted).length > 0;
  }

  /** Every (subject, version) that uses an id. */
  usesOfId(id: number, includeDeleted = false): SchemaValue[] {
    const out: SchemaValue[] = [];
    for (const versions of this.subjects.values())
      for (const v of versions.values()) if (v.id === id && (includeDeleted || !v.deleted)) out.push(v);
    return out.sort((a, b) =>
      a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.version - b.version,
    );
  }

  /** Ids of (non-deleted) schema versions that reference subject/version. */
  referencedBy(subject: string, version: number): number[] {
    const ids = new Set<number>();
    for (const versions of this.subjects.values())
      for (const v of versions.values())
        if (!v.deleted && v.references.some((r) => r.subject === subject && r.version === version))
          ids.add(v.id);
    return [...ids].sort((a, b) => a - b);
  }
}
