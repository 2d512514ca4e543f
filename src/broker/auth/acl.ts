/**
 * Kafka-compatible ACLs: bindings of (resource pattern, principal, host, operation, allow/deny),
 * matching filters for DescribeAcls/DeleteAcls, and the authorization decision. Semantics follow
 * Kafka's StandardAuthorizer: super users may do anything; any matching DENY wins; otherwise a
 * matching ALLOW grants; nothing matching means denied. READ, WRITE, DELETE and ALTER imply
 * DESCRIBE, ALTER_CONFIGS implies DESCRIBE_CONFIGS, ALL covers every operation. Literal name `*`,
 * principal `User:*` and host `*` are wildcards; PREFIXED patterns match names starting with them.
 * The codes are Kafka's enum values as they appear on the wire (resource types: protocol/resource-types.ts).
 */
import { ResourceType } from '../../protocol/resource-types.ts';

export { ResourceType };
export const PatternType = { ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const Operation = {
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;
export const Permission = { ANY: 1, DENY: 2, ALLOW: 3 } as const;
export const CLUSTER_NAME = 'kafka-cluster';

export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export type AclFilter = {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
};

/** Why a binding cannot be created, or null when it is valid. */
export function invalidBinding(b: AclBinding): string | null {
  if (b.resourceType < ResourceType.TOPIC || b.resourceType > ResourceType.USER)
    return `Invalid resource type ${b.resourceType}`;
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED)
    return `Invalid pattern type ${b.patternType}: use LITERAL or PREFIXED`;
  if (b.operation < Operation.ALL || b.operation > Operation.DESCRIBE_TOKENS)
    return `Invalid operation ${b.operation}`;
  if (b.permissionType !== Permission.ALLOW && b.permissionType !== Permission.DENY)
    return `Invalid permission type ${b.permissionType}`;
  if (b.resourceName === '') return 'Resource name must not be empty';
  if (!/^[A-Za-z]+:.+$/.test(b.principal))
    return `Invalid principal ${b.principal}: expected TYPE:NAME, e.g. User:alice`;
  if (b.resourceType === ResourceType.CLUSTER && b.resourceName !== CLUSTER_NAME)
    return `The cluster resource is named ${CLUSTER_NAME}`;
  return null;
}

function filterMatchesPattern(f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false;
  if (f.patternType === PatternType.ANY) return f.resourceName === null || f.resourceName === b.resourceName;
  if (f.patternType === PatternType.MATCH) {
    if (f.resourceName === null) return true;
    if (b.patternType === PatternType.LITERAL)
      return b.resourceName === f.resourceName || b.resourceName === '*';
    return f.resourceName.startsWith(b.resourceName);
  }
  return f.patternType === b.patternType && (f.resourceName === null || f.resourceName === b.resourceName);
}

/** Does a DescribeAcls/DeleteAcls filter select this binding? */
export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  if (!filterMatchesPattern(f, b)) return false;
  if (f.principal !== null && f.principal !== b.principal) return false;
  if (f.host !== null && f.host !== b.host) return false;
  if (f.operation !== Operation.ANY && f.operation !== b.operation) return false;
  if (f.permissionType !== Permission.ANY && f.permissionType !== b.permissionType) return false;
  return true;
}

function resourceMatches(b: AclBinding, type: number, name: string): boolean {
  if (b.resourceType !== type) return false;
  if (b.patternType === PatternType.PREFIXED) return name.startsWith(b.resourceName);
  return b.resourceName === '*' || b.resourceName === name;
}

function operationCovers(granted: number, wanted: number, permission: number): boolean {
  if (granted === Operation.ALL || granted === wanted) return true;
  // Implications apply to ALLOW only (a DENY of READ does not deny DESCRIBE).
  if (permission !== Permission.ALLOW) return false;
  if (wanted === Operation.DESCRIBE)
    return (
      granted === Operation.READ ||
      granted === Operation.WRITE ||
      granted === Operation.DELETE ||
      granted === Operation.ALTER
    );
  if (wanted === Operation.DESCRIBE_CONFIGS) return granted === Operation.ALTER_CONFIGS;
  return false;
}

export interface AuthorizeRequest {
  principal: string;
  host: string;
  operation: number;
  resourceType: number;
  resourceName: string;
}

/** The decision for one request against a set of bindings (super users are checked by the caller). */
export function decide(bindings: Iterable<AclBinding>, r: AuthorizeRequest): boolean {
  let allowed = false;
  for (const b of bindings) {
    if (!resourceMatches(b, r.resourceType, r.resourceName)) continue;
    if (b.principal !== r.principal && b.principal !== 'User:*') continue;
    if (b.host !== '*' && b.host !== r.host) continue;
    if (!operationCovers(b.operation, r.operation, b.permissionType)) continue;
    if (b.permissionType === Permission.DENY) return false;
    allowed = true;
  }
  return allowed;
}

/**
 * Kafka's authorizeByResourceType: may the principal perform the operation on at least one
 * resource of the type? True when some ALLOW binding grants it on a name (literal) or prefix that no
 * DENY binding covers.
 */
export function decideAny(
  bindings: readonly AclBinding[],
  r: Omit<AuthorizeRequest, 'resourceName'>,
): boolean {
  for (const b of bindings) {
    if (b.resourceType !== r.resourceType || b.permissionType !== Permission.ALLOW) continue;
    if (b.principal !== r.principal && b.principal !== 'User:*') continue;
    if (b.host !== '*' && b.host !== r.host) continue;
    if (!operationCovers(b.operation, r.operation, b.permissionType)) continue;
    if (decide(bindings, { ...r, resourceName: b.resourceName })) return true;
  }
  return false;
}
