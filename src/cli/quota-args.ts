/**
 * What the `quotas` commands share: the entity flags (`--user`, `--client-id`, `--ip`, and
 * `--tenant`, a tenant being its user) where `<default>` names Kafka's default entity, quota
 * values as Kafka's `key=value` pairs, and the entity printed as Kafka's tools print it
 * (`user=alice, client-id=<default>`).
 */
import type { OptionSpec } from './args.ts';
import { UsageError } from './args.ts';
import type { CommandContext } from './command.ts';

export const DEFAULT_ENTITY = '<default>';

export const QUOTA_KEYS = [
  'producer_byte_rate',
  'consumer_byte_rate',
  'request_percentage',
  'controller_mutation_rate',
  'connection_creation_rate',
] as const;
export type QuotaKeyName = (typeof QUOTA_KEYS)[number];

export const ENTITY_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'user',
    type: 'string',
    placeholder: 'NAME',
    description: `a user (${DEFAULT_ENTITY}: every user)`,
  },
  {
    name: 'client-id',
    type: 'string',
    placeholder: 'ID',
    description: `a client id (${DEFAULT_ENTITY}: every client id)`,
  },
  {
    name: 'ip',
    type: 'string',
    placeholder: 'ADDRESS',
    description: `an address, for connection_creation_rate (${DEFAULT_ENTITY}: every address)`,
  },
  {
    name: 'tenant',
    type: 'string',
    placeholder: 'NAME',
    description: 'a tenant (--tenant of samsa start): its user, all its connections together',
  },
];

export interface EntityPart {
  entityType: 'user' | 'client-id' | 'ip';
  entityName: string | null;
}

/** The entity the flags name (empty when none is given). */
export function entityFrom(ctx: CommandContext): EntityPart[] {
  const tenant = ctx.string('tenant');
  const user = ctx.string('user');
  if (tenant !== undefined && user !== undefined) throw new UsageError('give --user or --tenant, not both');
  const parts: EntityPart[] = [];
  const name = (v: string): string | null => (v === DEFAULT_ENTITY ? null : v);
  if (tenant !== undefined) parts.push({ entityType: 'user', entityName: tenant.replace(/^User:/, '') });
  if (user !== undefined) parts.push({ entityType: 'user', entityName: name(user) });
  const clientId = ctx.string('client-id');
  if (clientId !== undefined) parts.push({ entityType: 'client-id', entityName: name(clientId) });
  const ip = ctx.string('ip');
  if (ip !== undefined) parts.push({ entityType: 'ip', entityName: name(ip) });
  return parts;
}

export function requireEntity(ctx: CommandContext): EntityPart[] {
  const parts = entityFrom(ctx);
  if (parts.length === 0)
    throw new UsageError('name the entity: --user, --client-id (or both), --ip, or --tenant');
  return parts;
}

/** `user=alice, client-id=<default>` */
export function entityText(parts: readonly { entityType: string; entityName: string | null }[]): string {
  return parts.map((p) => `${p.entityType}=${p.entityName ?? DEFAULT_ENTITY}`).join(', ');
}

export function quotaKey(text: string): QuotaKeyName {
  if (!(QUOTA_KEYS as readonly string[]).includes(text))
    throw new UsageError(`unknown quota key "${text}" (use ${QUOTA_KEYS.join(', ')})`);
  return text as QuotaKeyName;
}

/** `producer_byte_rate=1048576` → key and value. */
export function quotaAssignment(text: string): { key: QuotaKeyName; value: number } {
  const eq = text.indexOf('=');
  if (eq < 0) throw new UsageError(`expected KEY=VALUE, got "${text}"`);
  const key = quotaKey(text.slice(0, eq).trim());
  const raw = text.slice(eq + 1).trim();
  const value = Number(raw);
  if (raw === '' || !Number.isFinite(value) || value <= 0)
    throw new UsageError(`${key} must be a positive number, got "${raw}"`);
  return { key, value };
}
