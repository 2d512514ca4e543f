/**
 * The schema registry's operations with Confluent Schema Registry's semantics, over a store whose
 * state every instance shares (the `_schemas` topic). Reads answer from this instance's state;
 * writes (register, delete, config, mode) run only on the primary, one at a time, and return once
 * the record is applied, so the next read sees them. The HTTP layer forwards writes that arrive at
 * a follower.
 *
 * Registration: the schema is parsed with its references, normalized if asked (or if the subject's
 * config says so), and if the subject already has a version with the same canonical text, type and
 * references, that version's id is returned. Otherwise it is checked against the subject's versions
 * at the effective compatibility level, gets the id of identical content registered under any
 * subject (ids are global) or the next id, and the next version number (soft-deleted versions
 * count). Soft deletes flag versions; permanent deletes (only of soft-deleted versions) tombstone
 * them. Versions referenced by live schemas cannot be deleted. Modes: READONLY refuses writes,
 * IMPORT accepts client-chosen ids and versions without compatibility checks.
 *
 * Not implemented: contexts (`:.ctx:subject`), metadata and rule sets (accepted and ignored),
 * schema tags, aliases, exporters.
 */
import {
  type CompatibilityLevel,
  checkCompatibility,
  DEFAULT_COMPATIBILITY,
  type PreviousVersion,
  parseCompatibilityLevel,
} from './compatibility.ts';
import { Errors, RegistryError } from './errors.ts';
import { avroProvider } from './schemas/avro/index.ts';
import { jsonSchemaProvider } from './schemas/json/index.ts';
import {
  InvalidSchemaError,
  type ParsedSchema,
  type ResolvedReference,
  SCHEMA_TYPES,
  type SchemaProvider,
  type SchemaReference,
  type SchemaType,
} from './schemas/parsed-schema.ts';
import { protobufProvider } from './schemas/protobuf/index.ts';
import {
  encodeClearSubjectValue,
  encodeConfigValue,
  encodeDeleteSubjectValue,
  encodeKey,
  encodeModeValue,
  encodeSchemaValue,
  type SchemaValue,
} from './store/records.ts';
import { contentKey, type RegistryState, type StoredSchema } from './store/state.ts';

export const PROVIDERS: Record<SchemaType, SchemaProvider> = {
  AVRO: avroProvider,
  JSON: jsonSchemaProvider,
  PROTOBUF: protobufProvider,
};

export const MODES = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const;
export type Mode = (typeof MODES)[number];

/** What the store offers the registry: the shared state and ordered, applied writes. */
export interface SchemaStore {
  readonly state: RegistryState;
  write(records: readonly { key: Buffer; value: Buffer | null }[]): Promise<void>;
}

/** A schema as a client sends it (register, lookup, compatibility). */
export interface SchemaRequest {
  schema?: unknown;
  schemaType?: unknown;
  references?: unknown;
  id?: unknown;
  version?: unknown;
}

/** A subject version as the API returns it. */
export interface SubjectVersionView {
  subject: string;
  version: number;
  id: number;
  schemaType?: SchemaType;
  references?: SchemaReference[];
  schema: string;
}

export type VersionSpec = number | 'latest';

const MAX_VERSION = 2 ** 31 - 1;

export function parseVersion(text: string): VersionSpec {
  if (text === 'latest' || text === '-1') return 'latest';
  if (!/^\d+$/.test(text)) throw Errors.invalidVersion(text);
  const n = Number(text);
  if (n < 1 || n > MAX_VERSION) throw Errors.invalidVersion(text);
  return n;
}

export function versionView(v: SchemaValue): SubjectVersionView {
  return {
    subject: v.subject,
    version: v.version,
    id: v.id,
    ...(v.schemaType === 'AVRO' ? {} : { schemaType: v.schemaType }),
    ...(v.references.length === 0 ? {} : { references: v.references }),
    schema: v.schema,
  };
}

function isValidSubject(subject: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return subject.length > 0 && !/[\u0000-\u001f\u007f]/.test(subject);
}

function schemaTypeOf(value: unknown): SchemaType {
  if (value === undefined || value === null) return 'AVRO';
  const upper = String(value).toUpperCase();
  if (!(SCHEMA_TYPES as readonly string[]).includes(upper))
    throw Errors.invalidSchema(`Invalid schema type ${value}`);
  return upper as SchemaType;
}

function referencesOf(value: unknown): SchemaReference[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw Errors.unprocessable('references must be an array');
  return value.map((r) => {
    const ref = r as Record<string, unknown>;
    if (
      r === null ||
      typeof r !== 'object' ||
      typeof ref.name !== 'string' ||
      typeof ref.subject !== 'string' ||
      typeof ref.version !== 'number'
    )
      throw Errors.unprocessable('each reference needs a name, a subject and a version');
    return { name: ref.name, subject: ref.subject, version: ref.version };
  });
}

export interface SchemaRegistryOptions {
  defaultCompatibility?: CompatibilityLevel;
  /** Whether this instance is the primary (writes are refused otherwise). */
  isLeader?: () => boolean;
}

export class SchemaRegistry {
  readonly store: SchemaStore;
  private readonly defaultCompatibility: CompatibilityLevel;
  private readonly isLeader: () => boolean;
  private writing: Promise<unknown> = Promise.resolve();
  private readonly parsed = new Map<string, ParsedSchema>();

  constructor(store: SchemaStore, options: SchemaRegistryOptions = {}) {
    this.store = store;
    this.defaultCompatibility = options.defaultCompatibility ?? DEFAULT_COMPATIBILITY;
    this.isLeader = options.isLeader ?? (() => true);
  }

  private get state(): RegistryState {
    return this.store.state;
  }

  /** Runs writes one at a time, on the primary only. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writing.then(() => {
      if (!this.isLeader()) throw Errors.unknownLeader();
      return fn();
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  // --- parsing ---------------------------------------------------------------------------------

  /** The referenced schemas (and theirs), dependencies first, each once. */
  resolveReferences(references: readonly SchemaReference[], seen = new Set<string>()): ResolvedReference[] {
    const out: ResolvedReference[] = [];
    for (const ref of references) {
      const key = `${ref.subject}\u0000${ref.version}`;
      const target =
        ref.version === -1
          ? this.state.versions(ref.subject).at(-1)
          : this.state.subjects.get(ref.subject)?.get(ref.version);
      if (!target) {
        throw Errors.invalidSchema(
          `Invalid schema: reference '${ref.name}' to subject '${ref.subject}' version ${ref.version} does not exist`,
        );
      }
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(...this.resolveReferences(target.references, seen), { name: ref.name, schema: target.schema });
    }
    return out;
  }

  /** Parses (with a cache) a schema of a type with its references. */
  parse(type: SchemaType, schema: string, references: readonly SchemaReference[]): ParsedSchema {
    const key = contentKey({ schemaType: type, schema, references: [...references] });
    const cached = this.parsed.get(key);
    if (cached) return cached;
    let parsed: ParsedSchema;
    try {
      parsed = PROVIDERS[type].parse(schema, this.resolveReferences(references));
    } catch (err) {
      if (err instanceof InvalidSchemaError) {
        throw Errors.invalidSchema(
          `Invalid schema ${schema.length > 200 ? `${schema.slice(0, 200)}...` : schema} with refs ${JSON.stringify(references)} of type ${type}, details: ${err.message}`,
        );
      }
      throw err;
    }
    if (this.parsed.size > 2000) this.parsed.clear();
    this.parsed.set(key, parsed);
    return parsed;
  }

  private parseRequest(request: SchemaRequest, normalize: boolean) {
    if (typeof request.schema !== 'string' || request.schema.trim() === '')
      throw Errors.invalidSchema('Empty schema');
    const schemaType = schemaTypeOf(request.schemaType);
    const references = referencesOf(request.references);
    const parsed = this.parse(schemaType, request.schema, references);
    const sortedRefs = normalize
      ? [...references].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      : references;
    const text = normalize ? parsed.normalized() : parsed.canonical;
    return { schemaType, references: sortedRefs, parsed, text };
  }

  private parsedVersion(v: SchemaValue): ParsedSchema {
    return this.parse(v.schemaType, v.schema, v.references);
  }

  // --- reads -----------------------------------------------------------------------------------

  subjects(options: { deleted?: boolean; deletedOnly?: boolean; prefix?: string } = {}): string[] {
    const out: string[] = [];
    for (const subject of this.state.subjects.keys()) {
      if (options.prefix && !subject.startsWith(options.prefix)) continue;
      const live = this.state.hasSubject(subject);
      const any = this.state.hasSubject(subject, true);
      if (options.deletedOnly ? any && !live : options.deleted ? any : live) out.push(subject);
    }
    return out.sort();
  }

  versions(subject: string, options: { deleted?: boolean; deletedOnly?: boolean } = {}): number[] {
    const all = this.state.versions(subject, true);
    if (!all.some((v) => options.deleted || options.deletedOnly || !v.deleted))
      throw Errors.subjectNotFound(subject);
    return all
      .filter((v) => (options.deletedOnly ? v.deleted : options.deleted ? true : !v.deleted))
      .map((v) => v.version);
  }

  /** A subject's version ('latest': the newest live one). */
  version(subject: string, spec: VersionSpec, includeDeleted = false): SchemaValue {
    const versions = this.state.versions(subject, includeDeleted);
    const found = spec === 'latest' ? versions.at(-1) : versions.find((v) => v.version === spec);
    if (found) return found;
    if (!this.state.hasSubject(subject, includeDeleted)) throw Errors.subjectNotFound(subject);
    throw Errors.versionNotFound(spec === 'latest' ? -1 : spec);
  }

  referencedBy(subject: string, spec: VersionSpec): number[] {
    const v = this.version(subject, spec, true);
    return this.state.referencedBy(v.subject, v.version);
  }

  schemaById(id: number, format?: string): StoredSchema {
    const stored = this.state.schemasById.get(id);
    if (!stored) throw Errors.schemaNotFound(id);
    return this.formatted(stored, format);
  }

  /** The schema in a `format` (Protobuf `serialized`, Avro `resolved`); unknown formats: as stored. */
  formatted(stored: StoredSchema, format?: string): StoredSchema {
    if (!format) return stored;
    const text = this.parse(stored.schemaType, stored.schema, stored.references).formatted?.(format);
    return text === undefined ? stored : { ...stored, schema: text };
  }

  idVersions(id: number, includeDeleted = false): { subject: string; version: number }[] {
    if (!this.state.schemasById.has(id)) throw Errors.schemaNotFound(id);
    return this.state.usesOfId(id, includeDeleted).map((v) => ({ subject: v.subject, version: v.version }));
  }

  idSubjects(id: number, includeDeleted = false): string[] {
    return [...new Set(this.idVersions(id, includeDeleted).map((v) => v.subject))];
  }

  /** Every schema version, for `GET /schemas`. */
  allSchemas(options: { prefix?: string; deleted?: boolean; latestOnly?: boolean }): SchemaValue[] {
    const out: SchemaValue[] = [];
    for (const subject of this.subjects({ deleted: options.deleted ?? false })) {
      if (options.prefix && !subject.startsWith(options.prefix)) continue;
      const versions = this.state.versions(subject, options.deleted ?? false);
      out.push(...(options.latestOnly ? versions.slice(-1) : versions));
    }
    return out;
  }

  /** `POST /subjects/{s}`: the version of this subject holding the given schema. */
  lookup(subject: string, request: SchemaRequest, options: { normalize?: boolean; deleted?: boolean } = {}) {
    const normalize = options.normalize ?? this.config(subject).normalize === true;
    const versions = this.state.versions(subject, options.deleted ?? false);
    if (versions.length === 0) throw Errors.subjectNotFound(subject);
    const candidate = this.parseRequest(request, normalize);
    const match = this.findVersion(versions, candidate, normalize);
    if (!match) throw Errors.schemaNotFound();
    return versionView(match);
  }

  private findVersion(
    versions: readonly SchemaValue[],
    candidate: { schemaType: SchemaType; references: SchemaReference[]; parsed: ParsedSchema; text: string },
    normalize: boolean,
  ): SchemaValue | undefined {
    const key = contentKey({
      schemaType: candidate.schemaType,
      schema: candidate.text,
      references: candidate.references,
    });
    const same = (v: SchemaValue) => contentKey(v) === key;
    const exact = [...versions].reverse().find(same);
    if (exact || !normalize) return exact;
    // With normalization, a version stored without it still matches by its normalized form.
    const normalized = candidate.parsed.normalized();
    return [...versions]
      .reverse()
      .find(
        (v) =>
          v.schemaType === candidate.schemaType &&
          contentKey({ ...v, schema: '' }) === contentKey({ ...candidate, schema: '' }) &&
          this.parsedVersion(v).normalized() === normalized,
      );
  }

  /** The subject's own config, the global one, or the default. */
  config(subject: string | null): { compatibilityLevel: CompatibilityLevel; normalize?: boolean } {
    const own = subject === null ? undefined : this.state.configs.get(subject);
    const global = this.state.configs.get(null);
    const level =
      parseCompatibilityLevel(own?.compatibilityLevel) ??
      parseCompatibilityLevel(global?.compatibilityLevel) ??
      this.defaultCompatibility;
    const normalize = own?.normalize ?? global?.normalize;
    return { compatibilityLevel: level, ...(normalize === undefined ? {} : { normalize }) };
  }

  /** `GET /config/{s}`: 40408 unless the subject has its own config (or defaultToGlobal). */
  subjectConfig(subject: string, defaultToGlobal: boolean) {
    const own = this.state.configs.get(subject);
    if (!own?.compatibilityLevel && own?.normalize === undefined) {
      if (!defaultToGlobal) throw Errors.subjectCompatibilityNotConfigured(subject);
      return this.config(null);
    }
    return this.config(subject);
  }

  mode(subject: string | null): Mode {
    const own = subject === null ? undefined : this.state.modes.get(subject);
    return (own ?? this.state.modes.get(null) ?? 'READWRITE') as Mode;
  }

  subjectMode(subject: string, defaultToGlobal: boolean): Mode {
    const own = this.state.modes.get(subject);
    if (own === undefined) {
      if (!defaultToGlobal) throw Errors.subjectModeNotConfigured(subject);
      return this.mode(null);
    }
    return own as Mode;
  }

  /** `POST /compatibility/subjects/{s}/versions[/{v}]`. */
  testCompatibility(
    subject: string,
    spec: VersionSpec | null,
    request: SchemaRequest,
    options: { normalize?: boolean } = {},
  ): { compatible: boolean; messages: string[] } {
    const level = this.config(subject).compatibilityLevel;
    const candidate = this.parseRequest(request, options.normalize ?? false);
    const live = this.state.versions(subject);
    let previous: PreviousVersion[];
    if (spec === null) previous = live.map((v) => ({ version: v.version, schema: this.parsedVersion(v) }));
    else {
      if (live.length === 0 && spec === 'latest') return { compatible: true, messages: [] };
      const v = this.version(subject, spec);
      previous = [{ version: v.version, schema: this.parsedVersion(v) }];
    }
    const effective: CompatibilityLevel =
      spec === null ? level : (level.replace('_TRANSITIVE', '') as CompatibilityLevel);
    const messages = checkCompatibility(effective, candidate.parsed, previous).map((m) =>
      m.startsWith('{validateFields') ? `{validateFields: 'false', compatibility: '${level}'}` : m,
    );
    return { compatible: messages.length === 0, messages };
  }

  // --- writes (primary only) --------------------------------------------------------------------

  register(
    subject: string,
    request: SchemaRequest,
    options: { normalize?: boolean } = {},
  ): Promise<{ id: number }> {
    if (!isValidSubject(subject)) return Promise.reject(Errors.invalidSubject(subject));
    return this.exclusive(async () => {
      const mode = this.mode(subject);
      if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE')
        throw Errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
      const requestedId =
        request.id === undefined || request.id === null || request.id === -1 ? null : request.id;
      const requestedVersion =
        request.version === undefined || request.version === null || request.version === 0
          ? null
          : request.version;
      if ((requestedId !== null || requestedVersion !== null) && mode !== 'IMPORT') {
        if (requestedId !== null)
          throw Errors.operationNotPermitted(`Subject ${subject} is not in import mode`);
      }
      if (
        requestedId !== null &&
        (typeof requestedId !== 'number' || !Number.isInteger(requestedId) || requestedId < 0)
      )
        throw Errors.unprocessable('id must be a non-negative integer');
      if (
        requestedVersion !== null &&
        (typeof requestedVersion !== 'number' || !Number.isInteger(requestedVersion) || requestedVersion < 1)
      )
        throw Errors.invalidVersion(String(requestedVersion));
      const normalize = options.normalize || this.config(subject).normalize === true;
      const candidate = this.parseRequest(request, normalize);
      const all = this.state.versions(subject, true);
      const live = all.filter((v) => !v.deleted);
      const existing = this.findVersion(live, candidate, normalize);
      if (existing && (requestedId === null || requestedId === existing.id)) return { id: existing.id };

      if (mode !== 'IMPORT') {
        const level = this.config(subject).compatibilityLevel;
        const previous = live.map((v) => ({ version: v.version, schema: this.parsedVersion(v) }));
        const messages = checkCompatibility(level, candidate.parsed, previous);
        if (messages.length > 0) throw Errors.incompatibleSchema(subject, messages);
      }
      const content: StoredSchema = {
        schemaType: candidate.schemaType,
        schema: candidate.text,
        references: candidate.references,
      };
      let id: number;
      if (requestedId !== null) {
        const taken = this.state.schemasById.get(requestedId as number);
        if (taken && contentKey(taken) !== contentKey(content))
          throw Errors.idDoesNotMatch(`Overwrite new schema with id ${requestedId} is not permitted.`);
        id = requestedId as number;
      } else {
        id = this.state.idsByContent.get(contentKey(content)) ?? this.state.maxId + 1;
      }
      const version = (requestedVersion as number | null) ?? (all.at(-1)?.version ?? 0) + 1;
      if (requestedVersion !== null && all.some((v) => v.version === version && !v.deleted))
        throw Errors.operationNotPermitted(`Subject ${subject} already has a version ${version}`);
      await this.store.write([
        {
          key: encodeKey({ keytype: 'SCHEMA', subject, version }),
          value: encodeSchemaValue({ subject, version, id, ...content, deleted: false }),
        },
      ]);
      return { id };
    });
  }

  deleteVersion(subject: string, spec: VersionSpec, permanent: boolean): Promise<number> {
    return this.exclusive(async () => {
      const mode = this.mode(subject);
      if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE')
        throw Errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
      const all = this.state.versions(subject, true);
      if (all.length === 0) throw Errors.subjectNotFound(subject);
      let target: SchemaValue | undefined;
      if (spec === 'latest') target = permanent ? all.at(-1) : all.filter((v) => !v.deleted).at(-1);
      else target = all.find((v) => v.version === spec);
      if (!target) throw Errors.versionNotFound(spec === 'latest' ? -1 : spec);
      if (!permanent && target.deleted) throw Errors.versionSoftDeleted(subject, target.version);
      if (permanent && !target.deleted) throw Errors.versionNotSoftDeleted(subject, target.version);
      if (!permanent && this.state.referencedBy(subject, target.version).length > 0)
        throw Errors.referenceExists(subject, target.version);
      const key = encodeKey({ keytype: 'SCHEMA', subject, version: target.version });
      await this.store.write([
        { key, value: permanent ? null : encodeSchemaValue({ ...target, deleted: true }) },
      ]);
      return target.version;
    });
  }

  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.exclusive(async () => {
      const mode = this.mode(subject);
      if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE')
        throw Errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
      const all = this.state.versions(subject, true);
      if (all.length === 0) throw Errors.subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      if (permanent) {
        if (live.length > 0) throw Errors.subjectNotSoftDeleted(subject);
        await this.store.write([
          ...all.map((v) => ({
            key: encodeKey({ keytype: 'SCHEMA', subject, version: v.version }),
            value: null,
          })),
          { key: encodeKey({ keytype: 'DELETE_SUBJECT', subject }), value: null },
          { key: encodeKey({ keytype: 'CLEAR_SUBJECT', subject }), value: encodeClearSubjectValue(subject) },
          ...(this.state.configs.has(subject)
            ? [{ key: encodeKey({ keytype: 'CONFIG', subject }), value: null }]
            : []),
          ...(this.state.modes.has(subject)
            ? [{ key: encodeKey({ keytype: 'MODE', subject }), value: null }]
            : []),
        ]);
        return all.map((v) => v.version);
      }
      if (live.length === 0) throw Errors.subjectSoftDeleted(subject);
      for (const v of live)
        if (this.state.referencedBy(subject, v.version).length > 0)
          throw Errors.referenceExists(subject, v.version);
      const latest = all.at(-1)!.version;
      await this.store.write([
        {
          key: encodeKey({ keytype: 'DELETE_SUBJECT', subject }),
          value: encodeDeleteSubjectValue({ subject, version: latest }),
        },
      ]);
      return live.map((v) => v.version);
    });
  }

  setConfig(subject: string | null, body: Record<string, unknown>) {
    const level = parseCompatibilityLevel(body.compatibility ?? body.compatibilityLevel);
    if (level === null && body.normalize === undefined)
      return Promise.reject(Errors.invalidCompatibilityLevel());
    if ((body.compatibility !== undefined || body.compatibilityLevel !== undefined) && level === null)
      return Promise.reject(Errors.invalidCompatibilityLevel());
    if (body.normalize !== undefined && typeof body.normalize !== 'boolean')
      return Promise.reject(Errors.unprocessable('normalize must be a boolean'));
    if (subject !== null && !isValidSubject(subject)) return Promise.reject(Errors.invalidSubject(subject));
    return this.exclusive(async () => {
      if (
        subject !== null &&
        (this.mode(subject) === 'READONLY' || this.mode(subject) === 'READONLY_OVERRIDE')
      )
        throw Errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
      const current = this.state.configs.get(subject) ?? {};
      const next = {
        ...current,
        ...(level === null ? {} : { compatibilityLevel: level }),
        ...(typeof body.normalize === 'boolean' ? { normalize: body.normalize } : {}),
      };
      await this.store.write([
        { key: encodeKey({ keytype: 'CONFIG', subject }), value: encodeConfigValue(subject, next) },
      ]);
      return {
        ...(level === null ? {} : { compatibility: level }),
        ...(typeof body.normalize === 'boolean' ? { normalize: body.normalize } : {}),
      };
    });
  }

  deleteConfig(subject: string | null) {
    return this.exclusive(async () => {
      if (subject !== null && !this.state.configs.has(subject)) throw Errors.subjectNotFound(subject);
      if (
        subject !== null &&
        (this.mode(subject) === 'READONLY' || this.mode(subject) === 'READONLY_OVERRIDE')
      )
        throw Errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
      const before = subject === null ? this.config(null) : this.config(subject);
      if (this.state.configs.has(subject))
        await this.store.write([{ key: encodeKey({ keytype: 'CONFIG', subject }), value: null }]);
      return before;
    });
  }

  setMode(subject: string | null, body: Record<string, unknown>, force: boolean) {
    const mode = typeof body.mode === 'string' ? body.mode.toUpperCase() : '';
    if (!(MODES as readonly string[]).includes(mode)) return Promise.reject(Errors.invalidMode());
    return this.exclusive(async () => {
      if (mode === 'IMPORT' && !force) {
        const nonEmpty = subject === null ? this.subjects().length > 0 : this.state.hasSubject(subject);
        if (nonEmpty) throw Errors.operationNotPermitted('Cannot import since found existing subjects');
      }
      await this.store.write([
        { key: encodeKey({ keytype: 'MODE', subject }), value: encodeModeValue(subject, mode) },
      ]);
      return { mode };
    });
  }

  deleteMode(subject: string) {
    return this.exclusive(async () => {
      const before = this.state.modes.get(subject);
      if (before === undefined) throw Errors.subjectNotFound(subject);
      await this.store.write([{ key: encodeKey({ keytype: 'MODE', subject }), value: null }]);
      return { mode: before };
    });
  }
}

export { RegistryError };
