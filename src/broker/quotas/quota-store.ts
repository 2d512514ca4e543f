/**
 * Client quotas as Kafka keeps them (KIP-546): entities made of `user`, `client-id` or `ip` parts,
 * each named or the default (`<default>`, a null name on the wire), with values for the keys
 * `producer_byte_rate`, `consumer_byte_rate`, `request_percentage`, `controller_mutation_rate`
 * (user/client-id entities) and `connection_creation_rate` (ip entities). Validation answers
 * INVALID_REQUEST with Kafka's reasons. `resolve` finds the quota that applies to a user and client
 * id by Kafka's documented precedence (per key: user+client-id, user+default client-id, user,
 * default user+client-id, default user+default client-id, default user, client-id, default
 * client-id) and the entity whose clients share it. Kept in `<dataDir>/__meta/client-quotas.json`,
 * replaced atomically on every change and read back at start. Not implemented: the broker-wide
 * `max.connection.creation.rate` listener setting.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';

export const ENTITY_TYPES = ['user', 'client-id', 'ip'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** The keys of user/client-id entities, whole numbers where Kafka's type is LONG or INT. */
export const CLIENT_QUOTA_KEYS = {
  producer_byte_rate: { integer: true },
  consumer_byte_rate: { integer: true },
  request_percentage: { integer: false },
  controller_mutation_rate: { integer: false },
} as const;
export const IP_QUOTA_KEYS = { connection_creation_rate: { integer: true } } as const;
export type ClientQuotaKey = keyof typeof CLIENT_QUOTA_KEYS;
export type QuotaKey = ClientQuotaKey | keyof typeof IP_QUOTA_KEYS;

/** One part of an entity: a type and a name, null for the default entity of that type. */
export interface EntityPart {
  entityType: string;
  entityName: string | null;
}

export interface QuotaEntry {
  entity: EntityPart[];
  values: Partial<Record<QuotaKey, number>>;
}

export interface QuotaOp {
  key: string;
  value: number;
  remove: boolean;
}

/** Filter of DescribeClientQuotas: match 0 exact name, 1 default, 2 any specified name. */
export interface QuotaFilterComponent {
  entityType: string;
  matchType: number;
  match: string | null;
}

export class QuotaError extends Error {
  override readonly name = 'QuotaError';
}

/** Where the quota that applies to a client was found, and the names its usage is counted under. */
export interface ResolvedQuota {
  quota: number;
  /** The user and client id the rate is shared by ('' when the quota does not depend on it). */
  user: string;
  clientId: string;
}

const DEFAULT_MARK = '\u0000';

function partKey(type: string, name: string | null): string {
  return `${type}=${name === null ? DEFAULT_MARK : name}`;
}

function entityKey(entity: readonly EntityPart[]): string {
  return [...entity]
    .sort((a, b) => a.entityType.localeCompare(b.entityType))
    .map((p) => partKey(p.entityType, p.entityName))
    .join('|');
}

/** Checks an entity as Kafka's ClientQuotaControlManager does; throws QuotaError with its reason. */
export function validateEntity(entity: readonly EntityPart[]): void {
  if (entity.length === 0) throw new QuotaError('Invalid empty client quota entity');
  const seen = new Set<string>();
  for (const p of entity) {
    if (!(ENTITY_TYPES as readonly string[]).includes(p.entityType))
      throw new QuotaError(`Unhandled client quota entity type: ${p.entityType}`);
    if (seen.has(p.entityType))
      throw new QuotaError(`Duplicate ${p.entityType} entity in the client quota entity`);
    seen.add(p.entityType);
    if (p.entityType === 'ip' && p.entityName !== null && isIP(p.entityName) === 0)
      throw new QuotaError(`${p.entityName} is not a valid IP or resolvable host.`);
    if (p.entityName === '') throw new QuotaError(`Empty ${p.entityType} name in the client quota entity`);
  }
  if (seen.has('ip') && seen.size > 1)
    throw new QuotaError(
      'Invalid quota entity combination, IP entity should not be combined with User or ClientId entities.',
    );
}

function validateOp(entity: readonly EntityPart[], op: QuotaOp): void {
  const isIp = entity.some((p) => p.entityType === 'ip');
  const keys: Record<string, { integer: boolean }> = isIp ? IP_QUOTA_KEYS : CLIENT_QUOTA_KEYS;
  const spec = keys[op.key];
  if (!spec) throw new QuotaError(`Invalid configuration key ${op.key}`);
  if (op.remove) return;
  if (!Number.isFinite(op.value) || op.value <= 0)
    throw new QuotaError(`Quota value for ${op.key} must be a positive number, got ${op.value}`);
  if (spec.integer && !Number.isInteger(op.value))
    throw new QuotaError(`Quota value for ${op.key} must be a whole number, got ${op.value}`);
}

/** A user's name in quota entities: the principal's name (`User:alice` → `alice`). */
export function quotaUser(principal: string): string {
  const colon = principal.indexOf(':');
  return colon < 0 ? principal : principal.slice(colon + 1);
}

export class QuotaStore {
  private readonly path: string;
  private readonly entries = new Map<string, QuotaEntry>();
  /** How many entities set each key: the quota checks for a key are skipped while it is 0. */
  private readonly keyCounts = new Map<QuotaKey, number>();
  /** Bumped on every change (sensors re-resolve their quota). */
  version = 0;

  constructor(dataDir: string) {
    this.path = join(dataDir, '__meta', 'client-quotas.json');
    if (existsSync(this.path)) {
      const data = JSON.parse(readFileSync(this.path, 'utf8')) as QuotaEntry[];
      for (const e of data) this.entries.set(entityKey(e.entity), e);
      this.recount();
    }
  }

  /** Whether any entity sets `key`. */
  has(key: QuotaKey): boolean {
    return (this.keyCounts.get(key) ?? 0) > 0;
  }

  private value(parts: EntityPart[], key: QuotaKey): number | undefined {
    return this.entries.get(entityKey(parts))?.values[key];
  }

  /** The quota for a user and client id, by Kafka's precedence; undefined when none applies. */
  resolve(key: ClientQuotaKey, user: string, clientId: string): ResolvedQuota | undefined {
    if (!this.has(key)) return undefined;
    const u = (name: string | null): EntityPart => ({ entityType: 'user', entityName: name });
    const c = (name: string | null): EntityPart => ({ entityType: 'client-id', entityName: name });
    const order: [EntityPart[], string, string][] = [
      [[u(user), c(clientId)], user, clientId],
      [[u(user), c(null)], user, clientId],
      [[u(user)], user, ''],
      [[u(null), c(clientId)], user, clientId],
      [[u(null), c(null)], user, clientId],
      [[u(null)], user, ''],
      [[c(clientId)], '', clientId],
      [[c(null)], '', clientId],
    ];
    for (const [parts, tagUser, tagClient] of order) {
      const quota = this.value(parts, key);
      if (quota !== undefined) return { quota, user: tagUser, clientId: tagClient };
    }
    return undefined;
  }

  /** connection_creation_rate for an address: its own entity, else the default ip entity. */
  resolveIp(ip: string): number | undefined {
    if (!this.has('connection_creation_rate')) return undefined;
    return (
      this.value([{ entityType: 'ip', entityName: ip }], 'connection_creation_rate') ??
      this.value([{ entityType: 'ip', entityName: null }], 'connection_creation_rate')
    );
  }

  /** Validates one entity's operations; throws QuotaError. */
  validate(entity: readonly EntityPart[], ops: readonly QuotaOp[]): void {
    validateEntity(entity);
    const keys = new Set<string>();
    for (const op of ops) {
      if (keys.has(op.key)) throw new QuotaError(`Duplicate quota key ${op.key} for the same entity`);
      keys.add(op.key);
      validateOp(entity, op);
    }
  }

  /** Applies validated operations to an entity (not saved until `save`). */
  alter(entity: readonly EntityPart[], ops: readonly QuotaOp[]): void {
    const k = entityKey(entity);
    const entry = this.entries.get(k) ?? {
      entity: entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName })),
      values: {},
    };
    for (const op of ops) {
      if (op.remove) delete entry.values[op.key as QuotaKey];
      else entry.values[op.key as QuotaKey] = op.value;
    }
    if (Object.keys(entry.values).length === 0) this.entries.delete(k);
    else this.entries.set(k, entry);
    this.recount();
    this.version++;
  }

  /** Entities matching a DescribeClientQuotas filter; throws QuotaError for an invalid filter. */
  describe(components: readonly QuotaFilterComponent[], strict: boolean): QuotaEntry[] {
    const types = new Set<string>();
    for (const f of components) {
      if (!(ENTITY_TYPES as readonly string[]).includes(f.entityType))
        throw new QuotaError(`Custom entity type '${f.entityType}' not supported`);
      if (types.has(f.entityType))
        throw new QuotaError(`Entity type ${f.entityType} cannot appear more than once in the filter.`);
      types.add(f.entityType);
      if (f.matchType === 0 && f.match === null)
        throw new QuotaError(`An exact match for ${f.entityType} needs a name`);
      if (f.matchType < 0 || f.matchType > 2) throw new QuotaError(`Unknown match type ${f.matchType}`);
    }
    if (types.has('ip') && types.size > 1)
      throw new QuotaError(
        'Invalid entity filter component combination, IP filter component should not be used with User or ClientId filter component.',
      );
    const out: QuotaEntry[] = [];
    for (const e of this.entries.values()) {
      const byType = new Map(e.entity.map((p) => [p.entityType, p.entityName]));
      if (strict && byType.size !== components.length) continue;
      const ok = components.every((f) => {
        if (!byType.has(f.entityType)) return false;
        const name = byType.get(f.entityType) ?? null;
        if (f.matchType === 0) return name === f.match;
        if (f.matchType === 1) return name === null;
        return name !== null;
      });
      if (ok) out.push({ entity: e.entity.map((p) => ({ ...p })), values: { ...e.values } });
    }
    return out.sort((a, b) => entityKey(a.entity).localeCompare(entityKey(b.entity)));
  }

  save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify([...this.entries.values()], null, 2));
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.path);
  }

  private recount(): void {
    this.keyCounts.clear();
    for (const e of this.entries.values())
      for (const k of Object.keys(e.values) as QuotaKey[])
        this.keyCounts.set(k, (this.keyCounts.get(k) ?? 0) + 1);
  }
}
