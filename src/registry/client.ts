/**
 * A client for any Confluent-compatible schema registry (Samsa's, Confluent's, Redpanda's,
 * Karapace): schemas by id, registration and lookup under a subject, subject versions, and
 * reference resolution, over keep-alive HTTP (undici) with optional basic auth. What never changes
 * is cached: a schema by id, the id of (subject, schema) once registered or looked up, a subject
 * version. Concurrent requests for the same thing share one HTTP call. Failures are
 * RegistryClientError with the registry's status, error code and message.
 *
 * Used by the serdes, the Connect converters, `topics:tail --format` and the HTTP proxy.
 */
import { Pool } from 'undici';
import type { ResolvedReference, SchemaReference, SchemaType } from './schemas/parsed-schema.ts';

export class RegistryClientError extends Error {
  override readonly name = 'RegistryClientError';
  readonly status: number;
  readonly errorCode: number;

  constructor(status: number, errorCode: number, message: string) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }
}

/** A schema as registered: its type, text and references. */
export interface SchemaInfo {
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
}

export interface RegisteredSchema extends SchemaInfo {
  id: number;
}

export interface SubjectVersion extends RegisteredSchema {
  subject: string;
  version: number;
}

export interface RegistryClientOptions {
  /** Base URL(s), e.g. `http://127.0.0.1:8081` (the first that answers is used). */
  url: string | readonly string[];
  /** Basic auth; also taken from `http://user:pass@host` URLs. */
  auth?: { username: string; password: string };
  timeoutMs?: number;
  /** Subject versions and lookups cached (ids are cached without limit: they never change). */
  cacheCapacity?: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

function toInfo(body: Record<string, unknown>): SchemaInfo {
  const type = typeof body.schemaType === 'string' ? body.schemaType.toUpperCase() : 'AVRO';
  return {
    schemaType: (type === 'JSON' || type === 'PROTOBUF' ? type : 'AVRO') as SchemaType,
    schema: String(body.schema ?? ''),
    references: Array.isArray(body.references) ? (body.references as SchemaReference[]) : [],
  };
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

class LruMap<K, V> extends Map<K, V> {
  private readonly capacity: number;

  constructor(capacity: number) {
    super();
    this.capacity = capacity;
  }

  override set(key: K, value: V): this {
    if (this.size >= this.capacity && !this.has(key)) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

export class RegistryClient {
  private readonly bases: { origin: string; prefix: string; pool: Pool; auth: string | undefined }[];
  private readonly timeoutMs: number;
  private readonly byId = new Map<number, Promise<RegisteredSchema>>();
  private readonly ids: LruMap<string, Promise<number>>;
  private readonly versions: LruMap<string, Promise<SubjectVersion>>;
  private current = 0;
  /** What this client was built from (another thread builds the same client from it). */
  readonly options: RegistryClientOptions;

  constructor(options: RegistryClientOptions) {
    this.options = { ...options, url: typeof options.url === 'string' ? options.url : [...options.url] };
    const urls = typeof options.url === 'string' ? options.url.split(',') : options.url;
    if (urls.length === 0) throw new Error('RegistryClient needs at least one URL');
    this.bases = urls.map((raw) => {
      const url = new URL(raw.trim());
      const user = options.auth?.username ?? decodeURIComponent(url.username);
      const pass = options.auth?.password ?? decodeURIComponent(url.password);
      const auth = user || pass ? `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` : undefined;
      return {
        origin: url.origin,
        prefix: url.pathname.replace(/\/+$/, ''),
        pool: new Pool(url.origin, { connections: 8, pipelining: 1 }),
        auth,
      };
    });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.ids = new LruMap(options.cacheCapacity ?? 1000);
    this.versions = new LruMap(options.cacheCapacity ?? 1000);
  }

  /** One request to the registry; JSON in and out. */
  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; attempt < this.bases.length; attempt++) {
      const base = this.bases[(this.current + attempt) % this.bases.length]!;
      let response: Awaited<ReturnType<Pool['request']>>;
      try {
        response = await base.pool.request({
          method,
          path: `${base.prefix}${path}`,
          headers: {
            accept: CONTENT_TYPE,
            ...(body === undefined ? {} : { 'content-type': CONTENT_TYPE }),
            ...(base.auth ? { authorization: base.auth } : {}),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
      } catch (err) {
        lastError = err;
        continue;
      }
      this.current = (this.current + attempt) % this.bases.length;
      const text = await response.body.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? null : JSON.parse(text);
      } catch {
        parsed = text;
      }
      if (response.statusCode >= 400) {
        const e = parsed as { error_code?: number; message?: string } | null;
        throw new RegistryClientError(
          response.statusCode,
          typeof e?.error_code === 'number' ? e.error_code : response.statusCode,
          typeof e?.message === 'string'
            ? e.message
            : `HTTP ${response.statusCode} from ${base.origin}${path}`,
        );
      }
      return parsed as T;
    }
    throw new RegistryClientError(
      0,
      0,
      `Schema registry unreachable: ${(lastError as Error)?.message ?? 'no URL'}`,
    );
  }

  private cached<K, V>(map: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
    const hit = map.get(key);
    if (hit) return hit;
    const promise = load();
    map.set(key, promise);
    promise.catch(() => map.delete(key));
    return promise;
  }

  /** The schema with a global id (cached for good). */
  getSchema(id: number): Promise<RegisteredSchema> {
    return this.cached(this.byId, id, async () => ({
      id,
      ...toInfo(await this.request<Record<string, unknown>>('GET', `/schemas/ids/${id}`)),
    }));
  }

  /** The cached schema of an id, if fetched already (for synchronous hot paths). */
  cachedSchema(id: number): Promise<RegisteredSchema> | undefined {
    return this.byId.get(id);
  }

  private key(subject: string, schema: Partial<SchemaInfo> & { schema: string }, normalize: boolean): string {
    return JSON.stringify([
      subject,
      schema.schemaType ?? 'AVRO',
      schema.schema,
      schema.references ?? [],
      normalize,
    ]);
  }

  /** Registers a schema under a subject (or finds it registered) and returns its id. */
  register(
    subject: string,
    schema: Partial<SchemaInfo> & { schema: string },
    options: { normalize?: boolean } = {},
  ): Promise<number> {
    const normalize = options.normalize ?? false;
    return this.cached(this.ids, this.key(subject, schema, normalize), async () => {
      const body = {
        schema: schema.schema,
        ...(schema.schemaType && schema.schemaType !== 'AVRO' ? { schemaType: schema.schemaType } : {}),
        ...(schema.references && schema.references.length > 0 ? { references: schema.references } : {}),
      };
      const res = await this.request<{ id: number }>(
        'POST',
        `/subjects/${enc(subject)}/versions${normalize ? '?normalize=true' : ''}`,
        body,
      );
      return res.id;
    });
  }

  /** The id of a schema already registered under a subject (40403 if it is not). */
  lookupId(
    subject: string,
    schema: Partial<SchemaInfo> & { schema: string },
    options: { normalize?: boolean } = {},
  ): Promise<number> {
    const normalize = options.normalize ?? false;
    return this.cached(this.ids, this.key(subject, schema, normalize), async () => {
      const res = await this.request<{ id: number }>(
        'POST',
        `/subjects/${enc(subject)}${normalize ? '?normalize=true' : ''}`,
        {
          schema: schema.schema,
          ...(schema.schemaType && schema.schemaType !== 'AVRO' ? { schemaType: schema.schemaType } : {}),
          ...(schema.references && schema.references.length > 0 ? { references: schema.references } : {}),
        },
      );
      return res.id;
    });
  }

  /** A subject version; `latest` is fetched every time (it changes), numbered versions are cached. */
  async getVersion(subject: string, version: number | 'latest'): Promise<SubjectVersion> {
    const load = async () => {
      const body = await this.request<Record<string, unknown>>(
        'GET',
        `/subjects/${enc(subject)}/versions/${version}`,
      );
      return {
        subject,
        version: Number(body.version),
        id: Number(body.id),
        ...toInfo(body),
      };
    };
    if (version === 'latest') return load();
    return this.cached(this.versions, `${subject}\u0000${version}`, load);
  }

  /** Referenced schemas (and theirs), dependencies first, each once: what schema parsers take. */
  async resolveReferences(
    references: readonly SchemaReference[],
    seen = new Set<string>(),
  ): Promise<ResolvedReference[]> {
    const out: ResolvedReference[] = [];
    for (const ref of references) {
      const key = `${ref.subject}\u0000${ref.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const target = await this.getVersion(ref.subject, ref.version === -1 ? 'latest' : ref.version);
      out.push(...(await this.resolveReferences(target.references, seen)), {
        name: ref.name,
        schema: target.schema,
      });
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.bases.map((b) => b.pool.close()));
  }
}
