/**
 * DeleteAcls (key 31), versions 0-3: removes every binding matching each filter and lists what was
 * removed. Needs ALTER on the cluster; SECURITY_DISABLED without `--authorizer acl`.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type DeleteAclsRequest,
  readDeleteAclsRequest,
} from '../../protocol/generated/messages/delete-acls-request.ts';
import {
  type DeleteAclsResponse,
  writeDeleteAclsResponse,
} from '../../protocol/generated/messages/delete-acls-response.ts';
import { CLUSTER_NAME, Operation, ResourceType } from '../auth/acl.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(31, 0, 3);

export const deleteAclsHandler = defineHandler<DeleteAclsRequest, DeleteAclsResponse>({
  ...SERVES,
  name: 'DeleteAcls',
  readRequest: readDeleteAclsRequest,
  writeResponse: writeDeleteAclsResponse,
  handle(req, ctx) {
    const auth = ctx.services.authorizer;
    const all = (errorCode: number, errorMessage: string): DeleteAclsResponse => ({
      throttleTimeMs: 0,
      filterResults: req.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
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
    return {
      throttleTimeMs: 0,
      filterResults: req.filters.map((f) => ({
        errorCode: 0,
        errorMessage: null,
        matchingAcls: auth
          .remove({
            resourceType: f.resourceTypeFilter,
            resourceName: f.resourceNameFilter,
            patternType: ctx.apiVersion >= 1 ? f.patternTypeFilter : 3,
            principal: f.principalFilter,
            host: f.hostFilter,
            operation: f.operation,
            permissionType: f.permissionType,
          })
          .map((b) => ({ errorCode: 0, errorMessage: null, ...b })),
      })),
    };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    filterResults: req.filters.map(() => ({ errorCode, errorMessage: null, matchingAcls: [] })),
  }),
});
