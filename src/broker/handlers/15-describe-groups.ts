/**
 * DescribeGroups (key 15), versions 0-5: state, protocol type, chosen protocol and members (client
 * id, host, instance id, subscription metadata and assignment) of each group. Unknown groups are
 * reported in state Dead, as Kafka does. Authorization: DESCRIBE on each group, else
 * GROUP_AUTHORIZATION_FAILED for it.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type DescribeGroupsRequest,
  readDescribeGroupsRequest,
} from '../../protocol/generated/messages/describe-groups-request.ts';
import {
  type DescribeGroupsResponse,
  DescribeGroupsResponseVersions,
  writeDescribeGroupsResponse,
} from '../../protocol/generated/messages/describe-groups-response.ts';
import { authorizedOperations, canGroup, Operation, ResourceType } from '../authz.ts';
import { defineHandler } from '../handler.ts';

export const describeGroupsHandler = defineHandler<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: 15,
  name: 'DescribeGroups',
  minVersion: DescribeGroupsResponseVersions.min,
  maxVersion: DescribeGroupsResponseVersions.max,
  readRequest: readDescribeGroupsRequest,
  writeResponse: writeDescribeGroupsResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => {
        if (!canGroup(ctx, Operation.DESCRIBE, groupId))
          return {
            errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
            groupId,
            groupState: '',
            protocolType: '',
            protocolData: '',
            members: [],
            authorizedOperations: -2147483648,
          };
        const ops =
          ctx.apiVersion >= 3 && req.includeAuthorizedOperations
            ? authorizedOperations(ctx, ResourceType.GROUP, groupId)
            : -2147483648;
        return { ...ctx.services.groups.describeGroup(groupId), authorizedOperations: ops };
      }),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => ({
        errorCode,
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: -2147483648,
      })),
    };
  },
});
