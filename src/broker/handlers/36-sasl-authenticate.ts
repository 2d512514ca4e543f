/**
 * SaslAuthenticate (key 36), versions 0-2: one round of the SASL exchange chosen by SaslHandshake.
 * Success authenticates the connection as `User:<name>`; with connections.max.reauth.ms set, v1+
 * answers the session lifetime and the client must re-authenticate before it ends (KIP-368).
 * Failure answers SASL_AUTHENTICATION_FAILED and closes the connection.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  readSaslAuthenticateRequest,
  type SaslAuthenticateRequest,
} from '../../protocol/generated/messages/sasl-authenticate-request.ts';
import {
  errorSaslAuthenticateResponse,
  type SaslAuthenticateResponse,
  writeSaslAuthenticateResponse,
} from '../../protocol/generated/messages/sasl-authenticate-response.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(36, 0, 2);

export const saslAuthenticateHandler = defineHandler<SaslAuthenticateRequest, SaslAuthenticateResponse>({
  ...SERVES,
  name: 'SaslAuthenticate',
  readRequest: readSaslAuthenticateRequest,
  writeResponse: writeSaslAuthenticateResponse,
  handle(req, ctx) {
    const conn = ctx.connection;
    if (!conn.sasl) {
      conn.requestClose();
      return {
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        errorMessage: 'This listener does not use SASL',
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0n,
      };
    }
    const step = conn.sasl.authenticate(req.authBytes);
    if (step.errorCode !== ErrorCode.NONE || step.principal)
      ctx.services.metrics?.authentication(conn.listener.protocol, step.errorCode === ErrorCode.NONE);
    if (step.errorCode !== ErrorCode.NONE) {
      ctx.services.logger.info(
        { remote: conn.remoteAddress, reason: step.errorMessage },
        'SASL authentication failed',
      );
      conn.requestClose();
      return {
        errorCode: step.errorCode,
        errorMessage: step.errorMessage,
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0n,
      };
    }
    let lifetime = 0;
    if (step.principal) lifetime = conn.authenticated(step.principal);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      authBytes: step.response,
      sessionLifetimeMs: BigInt(lifetime),
    };
  },
  errorResponse: (_req, errorCode) => errorSaslAuthenticateResponse(errorCode),
});
