/**
 * AlterConfigs (key 33), versions 0-2, the legacy whole-set form: for a topic resource the listed
 * configs become its complete set of overrides (anything not listed returns to the broker default;
 * a null value counts as not listed). Values are validated as a whole with Kafka's messages
 * (INVALID_CONFIG); `validateOnly` checks without changing. Changes persist and take effect at once
 * (produce limits, timestamps, segment settings of the open logs). Broker resources: see
 * config-changes.ts (settings are static; changes are INVALID_REQUEST). Authorization: ALTER_CONFIGS on
 * the topic (TOPIC_AUTHORIZATION_FAILED) or, for broker resources, the cluster (CLUSTER_AUTHORIZATION_FAILED).
 */
import {
  type AlterConfigsRequest,
  readAlterConfigsRequest,
} from '../../protocol/generated/messages/alter-configs-request.ts';
import {
  type AlterConfigsResponse,
  writeAlterConfigsResponse,
} from '../../protocol/generated/messages/alter-configs-response.ts';
import { alterResources, ConfigOp, failedResource } from '../config-changes.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(33, 0, 2);

export const alterConfigsHandler = defineHandler<AlterConfigsRequest, AlterConfigsResponse>({
  ...SERVES,
  name: 'AlterConfigs',
  readRequest: readAlterConfigsRequest,
  writeResponse: writeAlterConfigsResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      responses: alterResources(
        ctx,
        req.resources,
        (r) => r.configs.map((c) => ({ name: c.name, op: ConfigOp.SET, value: c.value })),
        {
          incremental: false,
          validateOnly: req.validateOnly,
        },
      ),
    };
  },
  errorResponse(req, errorCode) {
    return { throttleTimeMs: 0, responses: req.resources.map((r) => failedResource(r, errorCode)) };
  },
});
