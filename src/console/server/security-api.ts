/**
 * The console's Security page over the Kafka protocol, as the logged-in user: ACL bindings
 * (DescribeAcls, listed only) and SCRAM users (DescribeUserScramCredentials; created, given a new
 * password and deleted with AlterUserScramCredentials, passwords salted and hashed client-side).
 * A broker without an authorizer, or a user not allowed to describe them, gets a reason instead of
 * the list. Not implemented: creating and deleting ACLs (the CLI's `samsa acls:create` does).
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
