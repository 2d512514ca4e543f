/**
 * The broker's authorizer. Off by default (every principal may do everything, as Kafka without an
 * authorizer); `--authorizer acl` turns on ACL checks with deny-by-default and `--super-users`.
 * Tenants (`--tenant User:NAME:PREFIX`) are principals confined to topics, groups and
 * transactional ids starting with their prefix: they get every operation there and nothing
 * elsewhere beyond describing the cluster, whatever other ACLs say. ACL bindings persist in
 * `<dataDir>/__meta/acls.json`, replaced atomically.
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
import { dirname, join } from 'node:path';
import {
  type AclBinding,
  type AclFilter,
  type AuthorizeRequest,
  decide,
  decideAny,
  filterMatches,
  Operation,
  ResourceType,
} from './acl.ts';

export interface AuthorizerOptions {
  enabled: boolean;
  superUsers: readonly string[];
  /** principal → resource name prefix */
  tenants: ReadonlyMap<string, string>;
}

export class Authorizer {
  readonly enabled: boolean;
  private readonly superUsers: Set<string>;
  private readonly tenants: ReadonlyMap<string, string>;
  private readonly path: string;
  private bindings: AclBinding[] = [];

  constructor(dataDir: string, opts: AuthorizerOptions) {
    this.enabled = opts.enabled;
    this.superUsers = new Set(opts.superUsers);
    this.tenants = opts.tenants;
    this.path = join(dataDir, '__meta', 'acls.json');
    if (existsSync(this.path)) this.bindings = JSON.parse(readFileSync(this.path, 'utf8')) as AclBinding[];
  }

  /** Whether `principal` connecting from `host` may perform the operation on the resource. */
  authorize(r: AuthorizeRequest): boolean {
    const prefix = this.tenants.get(r.principal);
    if (prefix !== undefined) {
      if (r.resourceType === ResourceType.CLUSTER)
        return r.operation === Operation.DESCRIBE || r.operation === Operation.IDEMPOTENT_WRITE;
      return r.resourceName.startsWith(prefix);
    }
    if (!this.enabled || this.superUsers.has(r.principal)) return true;
    return decide(this.bindings, r);
  }

  /** Whether the principal may perform the operation on at least one resource of the type. */
  authorizeAny(r: Omit<AuthorizeRequest, 'resourceName'>): boolean {
    const prefix = this.tenants.get(r.principal);
    if (prefix !== undefined) return r.resourceType !== ResourceType.CLUSTER;
    if (!this.enabled || this.superUsers.has(r.principal)) return true;
    return decideAny(this.bindings, r);
  }

  /** The tenant prefix a principal is confined to, if any. */
  tenantPrefix(principal: string): string | undefined {
    return this.tenants.get(principal);
  }

  list(filter: AclFilter): AclBinding[] {
    return this.bindings.filter((b) => filterMatches(filter, b));
  }

  add(bindings: AclBinding[]): void {
    for (const b of bindings) {
      if (!this.bindings.some((x) => sameBinding(x, b))) this.bindings.push({ ...b });
    }
    this.save();
  }

  remove(filter: AclFilter): AclBinding[] {
    const removed = this.bindings.filter((b) => filterMatches(filter, b));
    if (removed.length > 0) {
      this.bindings = this.bindings.filter((b) => !filterMatches(filter, b));
      this.save();
    }
    return removed;
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.bindings, null, 2));
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.path);
  }
}

function sameBinding(a: AclBinding, b: AclBinding): boolean {
  return (
    a.resourceType === b.resourceType &&
    a.resourceName === b.resourceName &&
    a.patternType === b.patternType &&
    a.principal === b.principal &&
    a.host === b.host &&
    a.operation === b.operation &&
    a.permissionType === b.permissionType
  );
}
