/**
 * The console's Security page over the Kafka protocol, as the logged-in user: ACL bindings
 * (DescribeAcls; created with CreateAcls, deleted with DeleteAcls, one binding at a time) and SCRAM users (DescribeUserScramCredentials; created, given a new
 * password and deleted with AlterUserScramCredentials, passwords salted and hashed client-side).
 * A broker without an authorizer, or a user not allowed to describe them, gets a reason instead of
 * the list; a refused change answers with the broker's error (SECURITY_DISABLED,
 * CLUSTER_AUTHORIZATION_FAILED, ...).
 */
import { AclOperations, AclPermissionTypes, ResourcePatternTypes, ResourceTypes } from '@platformatic/kafka';
import type { FastifyInstance } from 'fastify';
import {
  DEFAULT_ITERATIONS,
  deleteScramUser,
  describeScramUsers,
  SCRAM_MECHANISMS,
  type ScramMechanismName,
  upsertScramUser,
} from '../../client/scram-users.ts';
import { ApiError, apiErrorOf } from './errors.ts';
import type { ClientsOf } from './kafka-api.ts';

const CLIENT_ID = 'samsa-console';

function nameOf(table: Record<string, number>, value: number): string {
  return Object.entries(table).find(([, v]) => v === value)?.[0] ?? String(value);
}

/** The value of `name` in a table of Kafka enumeration names, or a 400 listing the allowed names. */
function enumValue<T extends Record<string, number>>(
  table: T,
  field: string,
  name: unknown,
  allowAny = false,
) {
  const allowed = Object.keys(table).filter(
    (k) => allowAny || (k !== 'ANY' && k !== 'UNKNOWN' && k !== 'MATCH'),
  );
  const key = typeof name === 'string' ? name.trim().toUpperCase() : '';
  if (!allowed.includes(key)) throw new ApiError(400, `${field} must be one of ${allowed.join(', ')}`);
  return table[key] as T[keyof T];
}

/** One ACL binding from a JSON body, with Kafka's names (`{"principal": "User:alice", ...}`). */
function bindingOf(o: Record<string, unknown>) {
  const principal = typeof o.principal === 'string' ? o.principal.trim() : '';
  if (!/^[^:]+:.+$/.test(principal))
    throw new ApiError(400, 'principal must be TYPE:NAME, e.g. User:alice (or User:* for everyone)');
  const resourceName = typeof o.resourceName === 'string' ? o.resourceName.trim() : '';
  if (resourceName === '') throw new ApiError(400, 'resourceName is required (* for every resource)');
  const host = typeof o.host === 'string' && o.host.trim() !== '' ? o.host.trim() : '*';
  return {
    resourceType: enumValue(ResourceTypes, 'resourceType', o.resourceType),
    resourceName,
    resourcePatternType: enumValue(ResourcePatternTypes, 'patternType', o.patternType ?? 'LITERAL'),
    principal,
    host,
    operation: enumValue(AclOperations, 'operation', o.operation),
    permissionType: enumValue(AclPermissionTypes, 'permission', o.permission ?? 'ALLOW'),
  };
}

export function registerSecurityApi(app: FastifyInstance, clientsOf: ClientsOf): void {
  app.get('/api/security', async (req) => {
    const clients = await clientsOf(req);
    const [acls, users] = await Promise.all([
      clients.admin
        .describeAcls({
          filter: {
            resourceType: ResourceTypes.ANY,
            resourceName: null,
            resourcePatternType: ResourcePatternTypes.ANY,
            principal: null,
            host: null,
            operation: AclOperations.ANY,
            permissionType: AclPermissionTypes.ANY,
          },
        })
        .then(
          (found) => ({
            list: found.flatMap((r) =>
              r.acls.map((a) => ({
                resourceType: nameOf(ResourceTypes, r.resourceType),
                resourceName: r.resourceName,
                patternType: nameOf(ResourcePatternTypes, r.resourcePatternType),
                principal: a.principal,
                host: a.host,
                operation: nameOf(AclOperations, a.operation),
                permission: nameOf(AclPermissionTypes, a.permissionType),
              })),
            ),
          }),
          (err: unknown) => ({ error: apiErrorOf(err).message }),
        ),
      describeScramUsers(clients.connection, CLIENT_ID).then(
        (list) => ({ list: list.sort((a, b) => a.user.localeCompare(b.user)) }),
        (err: unknown) => ({ error: apiErrorOf(err).message }),
      ),
    ]);
    return { acls, users };
  });

  app.post('/api/security/acls', async (req, reply) => {
    const acl = bindingOf((req.body ?? {}) as Record<string, unknown>);
    const clients = await clientsOf(req);
    await clients.admin.createAcls({ creations: [acl] });
    reply.code(201);
    return { created: 1 };
  });

  // DELETE with a body is awkward for some clients: the binding goes in a POST.
  app.post('/api/security/acls/delete', async (req) => {
    const acl = bindingOf((req.body ?? {}) as Record<string, unknown>);
    const clients = await clientsOf(req);
    const deleted = await clients.admin.deleteAcls({ filters: [acl] });
    if (deleted.length === 0) throw new ApiError(404, 'no such ACL binding');
    return { deleted: deleted.length };
  });

  app.post('/api/security/users', async (req, reply) => {
    const o = (req.body ?? {}) as Record<string, unknown>;
    const name = typeof o.name === 'string' ? o.name.trim() : '';
    const password = typeof o.password === 'string' ? o.password : '';
    const mechanism = (o.mechanism ?? 'SCRAM-SHA-256') as ScramMechanismName;
    if (name === '') throw new ApiError(400, 'name is required');
    if (password.length < 1) throw new ApiError(400, 'password is required');
    if (!(mechanism in SCRAM_MECHANISMS))
      throw new ApiError(400, 'mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512');
    const clients = await clientsOf(req);
    await upsertScramUser(clients.connection, CLIENT_ID, {
      name,
      mechanism,
      password,
      iterations: DEFAULT_ITERATIONS,
    });
    reply.code(201);
    return { name, mechanism };
  });

  app.delete<{ Params: { name: string } }>('/api/security/users/:name', async (req) => {
    const clients = await clientsOf(req);
    const [user] = await describeScramUsers(clients.connection, CLIENT_ID, [req.params.name]).catch(() => []);
    const mechanisms = (user?.credentials ?? []).map((c) => c.mechanism as ScramMechanismName);
    if (mechanisms.length === 0) throw new ApiError(404, `user ${req.params.name} not found`);
    await deleteScramUser(clients.connection, CLIENT_ID, req.params.name, mechanisms);
    return { deleted: req.params.name };
  });
}
