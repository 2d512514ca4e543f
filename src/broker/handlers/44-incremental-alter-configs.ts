/**
 * IncrementalAlterConfigs (key 44), versions 0-1 (KIP-339). Per topic resource, each entry SETs
 * (0) a value, DELETEs (1) the override, or APPENDs (2) / SUBTRACTs (3) entries of a list config
 * (cleanup.policy, the throttled-replica lists) starting from the current effective value. Other
 * configs keep their overrides. The result is validated as a whole (INVALID_CONFIG with Kafka's
 * messages; APPEND/SUBTRACT on a non-list config is INVALID_CONFIG; duplicate keys and unknown
 * operations INVALID_REQUEST); `validateOnly` checks without changing. Changes persist and take
 * effect at once. Broker resources: see config-changes.ts (settings are static). Authorization:
 * ALTER_CONFIGS on the topic (TOPIC_AUTHORIZATION_FAILED) or, for broker resources, the cluster
 * (CLUSTER_AUTHORIZATION_FAILED).
 */
import {
  type IncrementalAlterConfigsRequest,
  readIncrementalAlterConfigsRequest,
} from '../../protocol/generated/messages/incremental-alter-configs-request.ts';
import {
  type IncrementalAlterConfigsResponse,
  writeIncrementalAlterConfigsResponse,
} from '../../protocol/generated/messages/incremental-alter-configs-response.ts';
import { alterResources, failedResource } from '../config-changes.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(44, 0, 1);

export const incrementalAlterConfigsHandler = defineHandler<
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse
>({
  ...SERVES,
  name: 'IncrementalAlterConfigs',
  readRequest: readIncrementalAlterConfigsRequest,
  writeResponse: writeIncrementalAlterConfigsResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      responses: alterResources(
        ctx,
        req.resources,
        (r) => r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })),
        {
          incremental: true,
          validateOnly: req.validateOnly,
        },
      ),
    };
  },
  errorResponse(req, errorCode) {
    return { throttleTimeMs: 0, responses: req.resources.map((r) => failedResource(r, errorCode)) };
  },
});
