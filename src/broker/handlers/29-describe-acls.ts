/**
 * DescribeAcls (key 29), versions 0-3: the ACL bindings matching a filter, grouped by resource
 * pattern. Needs DESCRIBE on the cluster; SECURITY_DISABLED when the broker runs without
 * `--authorizer acl`. A tenant (which may describe the cluster) sees only bindings on resources
 * under its own prefix, and of those none naming another tenant's principal: it never sees another
 * tenant's resource names or principals.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type DescribeAclsRequest,
  readDescribeAclsRequest,
} from '../../protocol/generated/messages/describe-acls-request.ts';
import {
  type DescribeAclsResponse,
  type DescribeAclsResponseDescribeAclsResource,
  errorDescribeAclsResponse,
  writeDescribeAclsResponse,
} from '../../protocol/generated/messages/describe-acls-response.ts';
import { CLUSTER_NAME, Operation, ResourceType } from '../auth/acl.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(29, 0, 3);

export const describeAclsHandler = defineHandler<DescribeAclsRequest, DescribeAclsResponse>({
  ...SERVES,
  name: 'DescribeAcls',
  readRequest: readDescribeAclsRequest,
  writeResponse: writeDescribeAclsResponse,
  handle(req, ctx) {
    const auth = ctx.services.authorizer;
    const fail = (errorCode: number, errorMessage: string): DescribeAclsResponse => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      resources: [],
    });
    if (!auth.enabled)
      return fail(
        ErrorCode.SECURITY_DISABLED,
        'No authorizer is configured on the broker (start it with --authorizer acl)',
      );
    const who = { principal: ctx.connection.principal, host: ctx.connection.remoteAddress };
    if (
      !auth.authorize({
        ...who,
        operation: Operation.DESCRIBE,
        resourceType: ResourceType.CLUSTER,
        resourceName: CLUSTER_NAME,
      })
    )
      return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed');
    const found = auth.list({
      resourceType: req.resourceTypeFilter,
      resourceName: req.resourceNameFilter,
      patternType: ctx.apiVersion >= 1 ? req.patternTypeFilter : 3,
      principal: req.principalFilter,
      host: req.hostFilter,
      operation: req.operation,
      permissionType: req.permissionType,
    });
    const prefix = auth.tenantPrefix(who.principal);
    const visible =
      prefix === undefined
        ? found
        : found.filter(
            (b) =>
              b.resourceType !== ResourceType.CLUSTER &&
              b.resourceName.startsWith(prefix) &&
              (b.principal === who.principal || auth.tenantPrefix(b.principal) === undefined),
          );
    const groups = new Map<string, DescribeAclsResponseDescribeAclsResource>();
    for (const b of visible) {
      const key = `${b.resourceType}\u0000${b.patternType}\u0000${b.resourceName}`;
      let g = groups.get(key);
      if (!g)
        groups.set(
          key,
          (g = {
            resourceType: b.resourceType,
            resourceName: b.resourceName,
            patternType: b.patternType,
            acls: [],
          }),
        );
      g.acls.push({
        principal: b.principal,
        host: b.host,
        operation: b.operation,
        permissionType: b.permissionType,
      });
    }
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, resources: [...groups.values()] };
  },
  errorResponse: (_req, errorCode) => errorDescribeAclsResponse(errorCode),
});
