/**
 * SaslHandshake (key 17), versions 0-1: picks the SASL mechanism for this connection and lists the
 * enabled ones. v1 is followed by SaslAuthenticate requests; after v0 the client sends raw SASL
 * tokens as length-prefixed frames (the connection switches to that mode). On a listener without
 * SASL the answer is ILLEGAL_SASL_STATE.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  readSaslHandshakeRequest,
  type SaslHandshakeRequest,
} from '../../protocol/generated/messages/sasl-handshake-request.ts';
import {
  errorSaslHandshakeResponse,
  type SaslHandshakeResponse,
  writeSaslHandshakeResponse,
} from '../../protocol/generated/messages/sasl-handshake-response.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(17, 0, 1);

export const saslHandshakeHandler = defineHandler<SaslHandshakeRequest, SaslHandshakeResponse>({
  ...SERVES,
  name: 'SaslHandshake',
  readRequest: readSaslHandshakeRequest,
  writeResponse: writeSaslHandshakeResponse,
  handle(req, ctx) {
    const sasl = ctx.connection.sasl;
    if (!sasl) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    const errorCode = sasl.handshake(req.mechanism);
    if (errorCode === ErrorCode.NONE && ctx.apiVersion === 0) ctx.connection.startRawSasl();
    if (errorCode !== ErrorCode.NONE) ctx.connection.requestClose();
    return { errorCode, mechanisms: [...sasl.mechanisms] };
  },
  errorResponse: (_req, errorCode) => errorSaslHandshakeResponse(errorCode),
});
