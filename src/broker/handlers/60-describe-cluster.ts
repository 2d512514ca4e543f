/**
 * DescribeCluster (key 60), versions 0-1: this broker as the whole cluster and its controller.
 * v1 endpoint type: 1 (brokers) is served; asking for controllers (2) gets MISMATCHED_ENDPOINT_TYPE.
 * Authorization, as Kafka's broker: the request itself is answered to every principal; the cluster
 * authorized-operations bit field, when asked for, needs DESCRIBE on the cluster (else 0).
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type DescribeClusterRequest,
  readDescribeClusterRequest,
} from '../../protocol/generated/messages/describe-cluster-request.ts';
import {
  type DescribeClusterResponse,
  defaultDescribeClusterResponse,
  errorDescribeClusterResponse,
  writeDescribeClusterResponse,
} from '../../protocol/generated/messages/describe-cluster-response.ts';
import { CLUSTER_NAME } from '../auth/acl.ts';
import { authorizedOperations, canCluster, Operation, ResourceType } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';
import { selfAddress } from '../services.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(60, 0, 1);

export const describeClusterHandler = defineHandler<DescribeClusterRequest, DescribeClusterResponse>({
  ...SERVES,
  name: 'DescribeCluster',
  readRequest: readDescribeClusterRequest,
  writeResponse: writeDescribeClusterResponse,
  handle(req, ctx) {
    const res = defaultDescribeClusterResponse();
    const self = selfAddress(ctx.services, ctx.connection.listener);
    if (ctx.apiVersion >= 1 && req.endpointType !== 1) {
      res.errorCode = ErrorCode.MISMATCHED_ENDPOINT_TYPE;
      res.errorMessage = 'Samsa serves broker endpoints only';
      return res;
    }
    res.clusterId = ctx.services.clusterId;
    res.controllerId = self.nodeId;
    res.brokers = [{ brokerId: self.nodeId, host: self.host, port: self.port, rack: null }];
    res.clusterAuthorizedOperations = -2147483648;
    if (req.includeClusterAuthorizedOperations)
      res.clusterAuthorizedOperations = canCluster(ctx, Operation.DESCRIBE)
        ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME)
        : 0;
    return res;
  },
  errorResponse: (_req, errorCode) => errorDescribeClusterResponse(errorCode),
});
