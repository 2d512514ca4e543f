/**
 * CreateAcls (key 30), versions 0-3: adds ACL bindings (LITERAL or PREFIXED patterns, ALLOW or
 * DENY), persisted at once. Needs ALTER on the cluster; each invalid binding gets INVALID_REQUEST
 * with the reason; SECURITY_DISABLED without `--authorizer acl`.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type CreateAclsRequest,
  readCreateAclsRequest,
} from '../../protocol/generated/messages/create-acls-request.ts';
import {
  type CreateAclsResponse,
  writeCreateAclsResponse,
} from '../../protocol/generated/messages/create-acls-response.ts';
import { type AclBinding, CLUSTER_NAME, invalidBinding, Operation, ResourceType } from '../auth/acl.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(30, 0, 3);

export const createAclsHandler = defineHandler<CreateAclsRequest, CreateAclsResponse>({
  ...SERVES,
  name: 'CreateAcls',
  readRequest: readCreateAclsRequest,
  writeResponse: writeCreateAclsResponse,
  handle(req, ctx) {
    const auth = ctx.services.authorizer;
    const all = (errorCode: number, errorMessage: string): CreateAclsResponse => ({
      throttleTimeMs: 0,
      results: req.creations.map(() => ({ errorCode, errorMessage })),
    });
    if (!auth.enabled)
      return all(
        ErrorCode.SECURITY_DISABLED,
        'No authorizer is configured on the broker (start it with --authorizer acl)',
      );
    const who = { principal: ctx.connection.principal, host: ctx.connection.remoteAddress };
    if (
      !auth.authorize({
        ...who,
        operation: Operation.ALTER,
        resourceType: ResourceType.CLUSTER,
        resourceName: CLUSTER_NAME,
      })
    )
      return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed');
    const valid: AclBinding[] = [];
    const results = req.creations.map((c) => {
      const binding: AclBinding = {
        resourceType: c.resourceType,
        resourceName: c.resourceName,
        patternType: ctx.apiVersion >= 1 ? c.resourcePatternType : 3,
        principal: c.principal,
        host: c.host,
        operation: c.operation,
        permissionType: c.permissionType,
      };
      const problem = invalidBinding(binding);
      if (problem) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem };
      valid.push(binding);
      return { errorCode: 0, errorMessage: null };
    });
    auth.add(valid);
    return { throttleTimeMs: 0, results };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    results: req.creations.map(() => ({ errorCode, errorMessage: null })),
  }),
});
