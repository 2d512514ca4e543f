/**
 * DescribeUserScramCredentials (key 50), version 0: each user's SCRAM mechanisms and iteration
 * counts (never salts or keys). A null or empty user list describes every user (as Kafka); an unknown user gets
 * RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE. Authorization: DESCRIBE on the
 * cluster, else CLUSTER_AUTHORIZATION_FAILED. A tenant (`--tenant`, which may describe the cluster)
 * sees only its own user: every other user, existing or not, answers RESOURCE_NOT_FOUND.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type DescribeUserScramCredentialsRequest,
  readDescribeUserScramCredentialsRequest,
} from '../../protocol/generated/messages/describe-user-scram-credentials-request.ts';
import {
  type DescribeUserScramCredentialsResponse,
  errorDescribeUserScramCredentialsResponse,
  writeDescribeUserScramCredentialsResponse,
} from '../../protocol/generated/messages/describe-user-scram-credentials-response.ts';
import { canCluster, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(50, 0, 0);

export const MECHANISM_IDS = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 } as const;

export const describeUserScramCredentialsHandler = defineHandler<
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse
>({
  ...SERVES,
  name: 'DescribeUserScramCredentials',
  readRequest: readDescribeUserScramCredentialsRequest,
  writeResponse: writeDescribeUserScramCredentialsResponse,
  handle(req, ctx) {
    if (!canCluster(ctx, Operation.DESCRIBE))
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: 'Cluster authorization failed',
        results: [],
      };
    const store = ctx.services.credentials;
    // A tenant sees its own user only; any other user answers as if it did not exist.
    const principal = ctx.connection.principal;
    const own = principal.startsWith('User:') ? principal.slice('User:'.length) : '';
    const tenant = ctx.services.authorizer.tenantPrefix(principal) !== undefined;
    const visible = (user: string): boolean => !tenant || user === own;
    const names =
      req.users === null || req.users.length === 0
        ? store.list().filter(visible)
        : req.users.map((u) => u.name);
    const counts = new Map<string, number>();
    for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      results: [...new Set(names)].map((user) => {
        if ((counts.get(user) ?? 0) > 1)
          return {
            user,
            errorCode: ErrorCode.DUPLICATE_RESOURCE,
            errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`,
            credentialInfos: [],
          };
        const infos = visible(user) ? store.describe(user) : [];
        if (infos.length === 0)
          return {
            user,
            errorCode: ErrorCode.RESOURCE_NOT_FOUND,
            errorMessage: `Attempt to describe a user credential that does not exist: ${user}`,
            credentialInfos: [],
          };
        return {
          user,
          errorCode: 0,
          errorMessage: null,
          credentialInfos: infos.map((i) => ({
            mechanism: MECHANISM_IDS[i.mechanism],
            iterations: i.iterations,
          })),
        };
      }),
    };
  },
  errorResponse: (_req, errorCode) => errorDescribeUserScramCredentialsResponse(errorCode),
});
