/**
 * ApiVersions (key 18), versions 0-4. Lists every API key and version range this broker serves,
 * built from the handler registry. A request at a version above 4 gets the KIP-511 answer: a v0
 * response with UNSUPPORTED_VERSION and the ranges, so the client retries at a version we know.
 * v3+ requests carry the client software name/version, which are accepted as given.
 */

import { ErrorCode } from '../../protocol/errors.ts';
import {
  type ApiVersionsRequest,
  readApiVersionsRequest,
} from '../../protocol/generated/messages/api-versions-request.ts';
import {
  type ApiVersionsResponse,
  defaultApiVersionsResponse,
  writeApiVersionsResponse,
} from '../../protocol/generated/messages/api-versions-response.ts';
import type { Writer } from '../../protocol/primitives/writer.ts';
import { defineHandler, serves } from '../handler.ts';
import type { BrokerServices } from '../services.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(18, 0, 4);

function answer(services: BrokerServices, errorCode: number): ApiVersionsResponse {
  const res = defaultApiVersionsResponse();
  res.errorCode = errorCode;
  res.apiKeys = services.handlers.ranges();
  return res;
}

/** The v0 UNSUPPORTED_VERSION answer for an ApiVersions request at a version we do not know. */
export function encodeUnsupportedApiVersions(w: Writer, services: BrokerServices): void {
  writeApiVersionsResponse(w, 0, answer(services, ErrorCode.UNSUPPORTED_VERSION));
}

export const apiVersionsHandler = defineHandler<ApiVersionsRequest, ApiVersionsResponse>({
  ...SERVES,
  name: 'ApiVersions',
  readRequest: readApiVersionsRequest,
  writeResponse: writeApiVersionsResponse,
  handle(_req, ctx) {
    return answer(ctx.services, ErrorCode.NONE);
  },
  errorResponse(_req, errorCode) {
    const res = defaultApiVersionsResponse();
    res.errorCode = errorCode;
    return res;
  },
});
