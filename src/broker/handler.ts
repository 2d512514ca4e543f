/**
 * The contract between the connection layer and the per-API handlers in handlers/.
 *
 * A handler's file states its API key and version range once, at its top, as kfake's `regKey`:
 * `export const SERVES = serves(0, 0, 11)`. The handler spreads it into its definition, and
 * `npm run generate` copies it into handlers/table.ts, from which the registry and the ApiVersions
 * answer read it without loading the handler (so nothing is advertised that is not implemented,
 * and handlers still load on first use). A handler also names the generated codec for its request
 * and response, and `handle`, which validates, calls the broker's services and builds the
 * response object. Returning null sends no response (Produce with acks=0).
 */
import type { Reader } from '../protocol/primitives/reader.ts';
import type { Writer } from '../protocol/primitives/writer.ts';
import type { SaslSession } from './auth/sasl-session.ts';
import type { SecurityProtocol } from './listeners.ts';
import type { BrokerServices } from './services.ts';

/** The listener a connection arrived on, with the address clients are told to use for it. */
export interface ListenerAddress {
  readonly protocol: SecurityProtocol;
  readonly host: string;
  readonly port: number;
}

export interface ConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The authenticated principal, `User:ANONYMOUS` on plaintext listeners. */
  principal: string;
  /** Aborted when the connection closes: long-running handlers (Fetch long poll) stop waiting. */
  readonly closed: AbortSignal;
  readonly listener: ListenerAddress;
  /** The SASL exchange state on SASL listeners, null elsewhere. */
  readonly sasl: SaslSession | null;
  /** Marks the connection authenticated as `principal`; returns the session lifetime in ms (0 = none). */
  authenticated(principal: string): number;
  /** Closes the connection once the responses queued so far are written. */
  requestClose(): void;
  /** After a v0 SaslHandshake: the next frames are raw SASL tokens. */
  startRawSasl(): void;
}

export interface RequestContext {
  readonly services: BrokerServices;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly connection: ConnectionInfo;
  /**
   * Runs `release` once this request's response has been handed to the kernel (or was not sent):
   * for memory the response refers to, such as pooled read buffers in a Fetch answer.
   */
  holdUntilWritten(release: () => void): void;
  /**
   * What this response may still take for data it reads (response-memory.ts): `bytes` left in the
   * connection's share and under the broker's bound on unsent responses, and whether it may take one
   * batch beyond that (nothing else of this connection is waiting to be sent; KIP-74 progress).
   */
  responseBudget(): { bytes: number; atLeastOneBatch: boolean };
  /** Reports the memory this response holds so far (a Fetch's read buffers); counted until written. */
  holdBytes(bytes: number): void;
  /**
   * The client is over a quota: the response carries this throttle time (the largest asked for)
   * and the connection is muted (not read from) for that long, as Kafka does (KIP-219).
   */
  throttle(ms: number): void;
}

/** An API key and the versions of it a handler serves. */
export interface ServedVersions {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** Declares the API key and version range a handler serves (one per handler file, as `SERVES`). */
export function serves(apiKey: number, minVersion: number, maxVersion: number): ServedVersions {
  return { apiKey, minVersion, maxVersion };
}

export interface ApiHandler<Req, Res> {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  readRequest(r: Reader, version: number): Req;
  writeResponse(w: Writer, version: number, response: Res): void;
  handle(request: Req, ctx: RequestContext): Res | null | Promise<Res | null>;
  /**
   * The response to send when `handle` threw (UNKNOWN_SERVER_ERROR): the request's topics, groups
   * or resources each answered with `errorCode`, or the top-level error code set. Every handler
   * has one, so an exception never closes the client's connection.
   */
  errorResponse(request: Req, errorCode: number, version: number): Res;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds handlers of every request type.
export type AnyHandler = ApiHandler<any, any>;

/** Identity helper that keeps the request/response types of one handler tied together. */
export function defineHandler<Req, Res>(h: ApiHandler<Req, Res>): ApiHandler<Req, Res> {
  return h;
}
