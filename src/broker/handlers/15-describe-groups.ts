/**
 * DescribeGroups (key 15), versions 0-5: state, protocol type, chosen protocol and members (client
 * id, host, instance id, subscription metadata and assignment) of each group. Unknown groups are
 * reported in state Dead, as Kafka does.
 */
import {
  type DescribeGroupsRequest,
  readDescribeGroupsRequest,
} from '../../protocol/generated/messages/describe-groups-request.ts';
import {
  type DescribeGroupsResponse,
  DescribeGroupsResponseVersions,
  writeDescribeGroupsResponse,
} from '../../protocol/generated/messages/describe-groups-response.ts';
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
      groups: ctx.services.groups.describeGroups(req.groups).map((g) => ({
        ...g,
        authorizedOperations: -2147483648,
      })),
    };
  },
});
