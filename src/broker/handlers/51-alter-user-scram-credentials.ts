/**
 * AlterUserScramCredentials (key 51), version 0: creates, replaces and deletes SCRAM credentials.
 * Clients send the salt and salted password (never the password); the broker keeps only the
 * derived stored key and server key. Errors per user as Kafka gives them: UNSUPPORTED_SASL_MECHANISM,
 * UNACCEPTABLE_CREDENTIAL (iterations outside 4096-16384, empty name or salt), RESOURCE_NOT_FOUND
 * (deleting what does not exist), DUPLICATE_RESOURCE (one user altered twice for a mechanism).
 * Authorization: ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED for every user.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type AlterUserScramCredentialsRequest,
  readAlterUserScramCredentialsRequest,
} from '../../protocol/generated/messages/alter-user-scram-credentials-request.ts';
import {
  type AlterUserScramCredentialsResponse,
  writeAlterUserScramCredentialsResponse,
} from '../../protocol/generated/messages/alter-user-scram-credentials-response.ts';
import {
  credentialFromSaltedPassword,
  MAX_ITERATIONS,
  MIN_ITERATIONS,
  type ScramMechanism,
} from '../auth/scram.ts';
import { canCluster, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(51, 0, 0);

const BY_ID: Record<number, ScramMechanism> = { 1: 'SCRAM-SHA-256', 2: 'SCRAM-SHA-512' };

export const alterUserScramCredentialsHandler = defineHandler<
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse
>({
  ...SERVES,
  name: 'AlterUserScramCredentials',
  readRequest: readAlterUserScramCredentialsRequest,
  writeResponse: writeAlterUserScramCredentialsResponse,
  handle(req, ctx) {
    if (!canCluster(ctx, Operation.ALTER)) {
      const users = [...new Set([...req.deletions, ...req.upsertions].map((o) => o.name))];
      return {
        throttleTimeMs: 0,
        results: users.map((user) => ({
          user,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: 'Cluster authorization failed',
        })),
      };
    }
    const store = ctx.services.credentials;
    const errors = new Map<string, { errorCode: number; errorMessage: string }>();
    const fail = (user: string, errorCode: number, errorMessage: string): void => {
      if (!errors.has(user)) errors.set(user, { errorCode, errorMessage });
    };
    const seen = new Set<string>();
    const all = [
      ...req.deletions.map((d) => ({ ...d, kind: 'delete' as const })),
      ...req.upsertions.map((u) => ({ ...u, kind: 'upsert' as const })),
    ];
    for (const op of all) {
      const key = `${op.name}\u0000${op.mechanism}`;
      if (seen.has(key))
        fail(
          op.name,
          ErrorCode.DUPLICATE_RESOURCE,
          `A user credential cannot be altered twice in the same request: ${op.name}`,
        );
      seen.add(key);
      if (op.name === '') fail(op.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
      if (!BY_ID[op.mechanism])
        fail(op.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, `Unknown SCRAM mechanism ${op.mechanism}`);
    }
    for (const d of req.deletions) {
      const mech = BY_ID[d.mechanism];
      if (mech && !errors.has(d.name) && !store.get(d.name, mech))
        fail(
          d.name,
          ErrorCode.RESOURCE_NOT_FOUND,
          `Attempt to delete a user credential that does not exist: ${d.name}`,
        );
    }
    for (const u of req.upsertions) {
      if (u.iterations < MIN_ITERATIONS || u.iterations > MAX_ITERATIONS)
        fail(
          u.name,
          ErrorCode.UNACCEPTABLE_CREDENTIAL,
          `Iterations must be between ${MIN_ITERATIONS} and ${MAX_ITERATIONS}, got ${u.iterations}`,
        );
      if (u.salt.length === 0 || u.saltedPassword.length === 0)
        fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Salt and salted password must not be empty');
    }
    let changed = false;
    for (const d of req.deletions) {
      if (errors.has(d.name)) continue;
      changed = store.delete(d.name, BY_ID[d.mechanism]!) || changed;
    }
    for (const u of req.upsertions) {
      if (errors.has(u.name)) continue;
      const mech = BY_ID[u.mechanism]!;
      store.set(
        u.name,
        mech,
        credentialFromSaltedPassword(mech, Buffer.from(u.saltedPassword), Buffer.from(u.salt), u.iterations),
      );
      changed = true;
    }
    if (changed) store.save();
    const users = [...new Set(all.map((o) => o.name))];
    return {
      throttleTimeMs: 0,
      results: users.map((user) => ({
        user,
        errorCode: errors.get(user)?.errorCode ?? 0,
        errorMessage: errors.get(user)?.errorMessage ?? null,
      })),
    };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    results: [...new Set([...req.deletions, ...req.upsertions].map((o) => o.name))].map((user) => ({
      user,
      errorCode,
      errorMessage: null,
    })),
  }),
});
