/**
 * What the `acls` commands share: the resource flags (`--topic`, `--group`, `--transactional-id`,
 * `--cluster`, with `--prefixed`), principal, host, operations and permission, mapped to Kafka's ACL
 * codes; KAFKA_PREFIX is added to resource names on the wire and stripped in output. A binding is
 * printed with Kafka's names (TOPIC, PREFIXED, READ, ALLOW).
 */
import {
  AclOperations,
  type AclOperationValue,
  AclPermissionTypes,
  type AclPermissionTypeValue,
  ResourcePatternTypes,
  type ResourcePatternTypeValue,
  ResourceTypes,
  type ResourceTypeValue,
} from '@platformatic/kafka';
import type { OptionSpec } from './args.ts';
import { UsageError } from './args.ts';
import type { CommandContext } from './command.ts';

// Kafka's ACL codes, as the client library defines them.
export const RESOURCE_TYPES = ResourceTypes;
export const PATTERN_TYPES = ResourcePatternTypes;
export const PERMISSIONS = AclPermissionTypes;
export const OPERATIONS = AclOperations;

const CLUSTER_NAME = 'kafka-cluster';

function nameOf(table: Record<string, number>, code: number): string {
  return Object.entries(table).find(([, v]) => v === code)?.[0] ?? String(code);
}

export const RESOURCE_OPTIONS: readonly OptionSpec[] = [
  { name: 'topic', type: 'string', placeholder: 'NAME', description: 'a topic' },
  { name: 'group', type: 'string', placeholder: 'NAME', description: 'a consumer group' },
  { name: 'transactional-id', type: 'string', placeholder: 'ID', description: 'a transactional id' },
  { name: 'cluster', type: 'boolean', description: 'the cluster itself' },
  {
    name: 'prefixed',
    type: 'boolean',
    description: 'the name is a prefix (every resource starting with it)',
  },
];

export interface AclResource {
  resourceType: ResourceTypeValue;
  /** On the wire (with KAFKA_PREFIX), or null for any name. */
  resourceName: string | null;
  resourcePatternType: ResourcePatternTypeValue;
}

/** The resource flags given; exactly one is required unless `optional` (then null means any). */
export function resourceFrom(ctx: CommandContext, optional: boolean): AclResource {
  const given = (['topic', 'group', 'transactional-id'] as const).filter((k) => ctx.string(k) !== undefined);
  const cluster = ctx.flag('cluster');
  const count = given.length + (cluster ? 1 : 0);
  if (count > 1) throw new UsageError('give one of --topic, --group, --transactional-id or --cluster');
  const prefixed = ctx.flag('prefixed');
  if (count === 0) {
    if (!optional)
      throw new UsageError('missing resource: give --topic, --group, --transactional-id or --cluster');
    if (prefixed) throw new UsageError('--prefixed needs --topic, --group or --transactional-id');
    return { resourceType: RESOURCE_TYPES.ANY, resourceName: null, resourcePatternType: PATTERN_TYPES.ANY };
  }
  if (cluster) {
    if (prefixed) throw new UsageError('--prefixed does not apply to --cluster');
    return {
      resourceType: RESOURCE_TYPES.CLUSTER,
      resourceName: CLUSTER_NAME,
      resourcePatternType: PATTERN_TYPES.LITERAL,
    };
  }
  const kind = given[0]!;
  const name = ctx.string(kind)!;
  if (name === '') throw new UsageError(`--${kind} needs a name`);
  const type: ResourceTypeValue =
    kind === 'topic'
      ? RESOURCE_TYPES.TOPIC
      : kind === 'group'
        ? RESOURCE_TYPES.GROUP
        : RESOURCE_TYPES.TRANSACTIONAL_ID;
  return {
    resourceType: type,
    resourceName: ctx.prefix.add(name),
    resourcePatternType: prefixed ? PATTERN_TYPES.PREFIXED : PATTERN_TYPES.LITERAL,
  };
}

/** A principal as Kafka writes it: `User:alice` (a bare name gets `User:`). */
export function principalFrom(value: string): string {
  if (value === '') throw new UsageError('--principal needs a value, e.g. User:alice');
  return value.includes(':') ? value : `User:${value}`;
}

/** Operation names (read, write, describe-configs, ...) to codes. */
export function operationsFrom(values: readonly string[]): AclOperationValue[] {
  return values.map((v) => {
    const key = v.toUpperCase().replaceAll('-', '_') as keyof typeof OPERATIONS;
    const code = OPERATIONS[key];
    if (code === undefined || key === 'ANY' || key === 'UNKNOWN') {
      const names = Object.keys(OPERATIONS)
        .filter((k) => k !== 'ANY' && k !== 'UNKNOWN')
        .map((k) => k.toLowerCase().replaceAll('_', '-'));
      throw new UsageError(`unknown operation "${v}" (one of ${names.join(', ')})`);
    }
    return code;
  });
}

/** One binding as printed (and as --json emits it), with KAFKA_PREFIX stripped. */
export interface AclRow {
  resourceType: string;
  resourceName: string;
  patternType: string;
  principal: string;
  host: string;
  operation: string;
  permission: string;
}

export function aclRow(
  ctx: CommandContext,
  b: {
    resourceType: number;
    resourceName: string;
    resourcePatternType: number;
    principal: string;
    host: string;
    operation: number;
    permissionType: number;
  },
): AclRow | undefined {
  const name = b.resourceType === RESOURCE_TYPES.CLUSTER ? b.resourceName : ctx.prefix.strip(b.resourceName);
  if (name === undefined) return undefined;
  return {
    resourceType: nameOf(RESOURCE_TYPES, b.resourceType),
    resourceName: name,
    patternType: nameOf(PATTERN_TYPES, b.resourcePatternType),
    principal: b.principal,
    host: b.host,
    operation: nameOf(OPERATIONS, b.operation),
    permission: nameOf(PERMISSIONS, b.permissionType),
  };
}

/** ALLOW, or DENY with `--deny`. */
export function permissionFrom(deny: boolean): AclPermissionTypeValue {
  return deny ? PERMISSIONS.DENY : PERMISSIONS.ALLOW;
}

export const ACL_COLUMNS = [
  { header: 'resource', value: (r: AclRow) => r.resourceType },
  { header: 'name', value: (r: AclRow) => r.resourceName },
  { header: 'pattern', value: (r: AclRow) => r.patternType },
  { header: 'principal', value: (r: AclRow) => r.principal },
  { header: 'host', value: (r: AclRow) => r.host },
  { header: 'operation', value: (r: AclRow) => r.operation },
  { header: 'permission', value: (r: AclRow) => r.permission },
];
