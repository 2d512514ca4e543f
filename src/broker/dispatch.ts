/**
 * The dispatcher: what happens to one request frame between the connection's framing and a
 * handler. In order: the authentication gate (on SASL listeners only ApiVersions, SaslHandshake and
 * SaslAuthenticate before SASL completes, the session's end with connections.max.reauth.ms, raw
 * SASL tokens after a v0 SaslHandshake), the handler lookup with lazy loading (the first request
 * for an API holds that frame and every later one, in order, until its module has loaded), the
 * version check (ApiVersions at an unknown version gets the KIP-511 v0 answer; other unknown keys
 * and versions close the connection, as Kafka does), request header and body decoding (a malformed
 * request closes the connection), the handler call with request metrics and quotas (a throttled
 * client gets the throttle time in its response and is muted; Produce before v6 and Fetch before v8
 * get the response itself delayed, KIP-219), the exception policy (a handler that throws answers
 * UNKNOWN_SERVER_ERROR in its API's own response, logged with its stack, and the connection stays
 * open) and the response's encoding (size, correlation id, header, body).
 *
 * One Dispatcher per connection. It does not read or write the socket: the connection
 * (connection.ts) gives it frames and takes finished responses into its ordered queue
 * (`ResponseQueue`), where backpressure and memory accounting live.
 */
import type { Logger } from 'pino';
import {
  API_KEY_BY_ID,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../protocol/generated/api-keys.ts';
import { readRequestHeader } from '../protocol/generated/messages/request-header.ts';
import { DecodeError } from '../protocol/primitives/decode-error.ts';
import { Reader } from '../protocol/primitives/reader.ts';
import { Writer } from '../protocol/primitives/writer.ts';
import type { AnyHandler, ConnectionInfo, RequestContext } from './handler.ts';
import { encodeUnsupportedApiVersions } from './handlers/18-api-versions.ts';
import type { BrokerServices } from './services.ts';

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
/** Before these versions (KIP-219) Kafka delays a throttled response instead of only muting. */
const CLIENT_THROTTLES_FROM: ReadonlyMap<number, number> = new Map([
  [0, 6],
  [1, 8],
]);

/** One response's place in the connection's request order. */
export interface ResponseSlot {
  done: boolean;
  chunks: Buffer[] | null;
  /** Memory counted for this response (response-memory.ts) until the kernel has its bytes. */
  bytes: number;
  /** Run once the response's bytes are handed to the kernel (pooled read buffers go back). */
  afterWrite: (() => void)[];
}

export function newSlot(): ResponseSlot {
  return { done: false, chunks: null, bytes: 0, afterWrite: [] };
}

/** What the dispatcher needs from its connection: the ordered response queue and closing. */
export interface ResponseQueue {
  readonly info: ConnectionInfo;
  readonly log: Logger;
  /** Closed, or closing once the queued responses are written: no more frames are processed. */
  readonly stopped: boolean;
  /** Appends a slot to the response order. */
  enqueue(slot: ResponseSlot): void;
  /** The slot's response is ready (`chunks` of `length` bytes, or null for none); written in turn. */
  complete(slot: ResponseSlot, chunks: Buffer[] | null, length: number): void;
  /** Counts `bytes` of memory held for the slot's response (reading pauses over the bounds). */
  hold(slot: ResponseSlot, bytes: number): void;
  /** What the slot's response may still take for data it reads (RequestContext.responseBudget). */
  budget(slot: ResponseSlot): { bytes: number; atLeastOneBatch: boolean };
  /** Stops reading for `ms` (quota throttle). */
  mute(ms: number): void;
  close(): void;
  /** Held frames were processed: backpressure is checked again and finished responses written. */
  resume(): void;
}

export class Dispatcher {
  private readonly services: BrokerServices;
  private readonly queue: ResponseQueue;
  /** False on SASL listeners until SaslAuthenticate succeeds. */
  private isAuthenticated: boolean;
  /** With connections.max.reauth.ms: when the SASL session ends (0 = never). */
  private sessionExpiresAt = 0;
  private rawSasl = false;
  /** Frames waiting, in arrival order, while a handler module loads on its first use. */
  private heldFrames: Buffer[] | undefined;

  constructor(services: BrokerServices, queue: ResponseQueue) {
    this.services = services;
    this.queue = queue;
    this.isAuthenticated = queue.info.sasl === null;
  }

  /** Whether SASL authentication is complete (always on listeners without SASL). */
  get authenticated(): boolean {
    return this.isAuthenticated;
  }

  /** Frames are held while a handler loads: the connection is not idle. */
  get holding(): boolean {
    return this.heldFrames !== undefined;
  }

  /** Marks the connection authenticated as `principal`; returns the session lifetime in ms (0 = none). */
  onAuthenticated(principal: string): number {
    this.queue.info.principal = principal;
    this.isAuthenticated = true;
    const lifetime = this.services.config.connectionsMaxReauthMs;
    this.sessionExpiresAt = lifetime > 0 ? Date.now() + lifetime : 0;
    this.queue.log.debug({ principal }, 'authenticated');
    return lifetime;
  }

  /** After a v0 SaslHandshake: the next frames are raw SASL tokens. */
  startRawSasl(): void {
    this.rawSasl = true;
  }

  /** Handles one request frame (without its size prefix). */
  dispatch(frame: Buffer): void {
    if (this.heldFrames) {
      this.heldFrames.push(frame);
      return;
    }
    if (this.rawSasl) {
      this.onRawSaslToken(frame);
      return;
    }
    if (frame.length < 8) {
      this.warn('frame:short', { size: frame.length }, 'frame too short for a request header; closing');
      this.queue.close();
      return;
    }
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    const saslRequest = apiKey === API_VERSIONS || apiKey === SASL_HANDSHAKE || apiKey === SASL_AUTHENTICATE;
    if (!saslRequest && !this.passesAuthentication(apiKey)) return;
    const handler = this.services.handlers.get(apiKey);
    if (!handler) {
      this.loadThenDispatch(frame, apiKey, apiVersion);
      return;
    }
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      this.unsupportedVersion(handler, correlationId, apiKey, apiVersion);
      return;
    }
    this.handle(handler, frame, apiKey, apiVersion, correlationId, saslRequest);
  }

  /** The authentication gate for requests other than ApiVersions and the SASL pair. */
  private passesAuthentication(apiKey: number): boolean {
    if (!this.isAuthenticated) {
      this.warn('frame:unauthenticated', { apiKey }, 'request before SASL authentication completed; closing');
      this.queue.close();
      return false;
    }
    if (this.sessionExpiresAt > 0 && Date.now() > this.sessionExpiresAt) {
      this.queue.log.info('SASL session expired without re-authentication; closing');
      this.queue.close();
      return false;
    }
    return true;
  }

  /** First request for this API since the broker started: holds it and every later frame, in
   * order, until its handler module has loaded. */
  private loadThenDispatch(frame: Buffer, apiKey: number, apiVersion: number): void {
    const loading = this.services.handlers.load(apiKey);
    if (!loading) {
      this.warn('frame:unknown-api', { apiKey, apiVersion }, `unknown API key ${apiKey}; closing`);
      this.queue.close();
      return;
    }
    this.heldFrames = [frame];
    loading.then(
      () => this.releaseHeldFrames(),
      (err: unknown) => {
        this.queue.log.error({ err, apiKey }, 'loading the handler failed; closing');
        this.queue.close();
      },
    );
  }

  /** Processes the frames held while a handler loaded, in order (dispatch holds the rest again if
   * one of them starts another load). */
  private releaseHeldFrames(): void {
    const frames = this.heldFrames ?? [];
    this.heldFrames = undefined;
    for (const frame of frames) {
      if (this.queue.stopped) break;
      this.dispatch(frame);
    }
    this.queue.resume();
  }

  private unsupportedVersion(
    handler: AnyHandler,
    correlationId: number,
    apiKey: number,
    apiVersion: number,
  ): void {
    if (apiKey === API_VERSIONS) {
      // KIP-511: answer in v0 format with UNSUPPORTED_VERSION and our ranges; the client retries.
      const slot = newSlot();
      this.queue.enqueue(slot);
      this.encode(slot, correlationId, apiKey, 0, (w) => encodeUnsupportedApiVersions(w, this.services));
      return;
    }
    const name = API_KEY_BY_ID.get(apiKey)?.name ?? String(apiKey);
    this.warn(
      `frame:unsupported-version:${apiKey}`,
      { apiKey, apiVersion, supported: `${handler.minVersion}-${handler.maxVersion}` },
      `unsupported ${name} version ${apiVersion}; closing`,
    );
    this.queue.close();
  }

  /** Decodes the request, runs its handler and queues the answer (in request order). */
  private handle(
    handler: AnyHandler,
    frame: Buffer,
    apiKey: number,
    apiVersion: number,
    correlationId: number,
    saslRequest: boolean,
  ): void {
    const queue = this.queue;
    const services = this.services;
    let request: unknown;
    let ctx: RequestContext;
    // Queued only once the request decodes.
    const slot = newSlot();
    let throttleMs = 0;
    try {
      const r = new Reader(frame);
      const header = readRequestHeader(r, requestHeaderVersion(apiKey, apiVersion));
      ctx = {
        services,
        apiKey,
        apiVersion,
        correlationId,
        clientId: header.clientId,
        connection: queue.info,
        holdUntilWritten: (release) => slot.afterWrite.push(release),
        responseBudget: () => queue.budget(slot),
        holdBytes: (bytes) => queue.hold(slot, bytes),
        throttle: (ms) => {
          if (ms > throttleMs) throttleMs = ms;
        },
      };
      request = handler.readRequest(r, apiVersion);
    } catch (err) {
      const reason = err instanceof DecodeError ? err.message : String(err);
      this.warn(
        `frame:malformed:${apiKey}`,
        { apiKey, apiVersion, reason },
        `malformed ${handler.name} request; closing`,
      );
      queue.close();
      return;
    }
    queue.enqueue(slot);
    const metrics = services.metrics;
    const started = metrics ? performance.now() : 0;
    const quotas = services.quotas;
    const timed = !saslRequest && quotas.enabled('request_percentage');
    const timedStart = timed ? performance.now() : 0;
    let handleMs = 0;
    const respond = (response: unknown): void => {
      metrics?.request(apiKey, performance.now() - started);
      if (timed) {
        // request_percentage: the handler's time on the event loop, in percent of a second.
        const throttle = quotas.record(
          'request_percentage',
          queue.info.principal,
          ctx.clientId,
          handleMs / 10,
        );
        if (throttle > throttleMs) throttleMs = throttle;
      }
      if (throttleMs > 0) {
        queue.mute(throttleMs);
        if (
          response !== null &&
          typeof (response as { throttleTimeMs?: unknown }).throttleTimeMs === 'number'
        ) {
          const r = response as { throttleTimeMs: number };
          r.throttleTimeMs = Math.max(r.throttleTimeMs, throttleMs);
        }
      }
      if (response === null) {
        queue.complete(slot, null, 0);
        return;
      }
      const encode = (): void => {
        const t0 = timed ? performance.now() : 0;
        this.encode(slot, correlationId, apiKey, apiVersion, (w) =>
          handler.writeResponse(w, apiVersion, response),
        );
        if (timed)
          quotas.record(
            'request_percentage',
            queue.info.principal,
            ctx.clientId,
            (performance.now() - t0) / 10,
          );
      };
      const clientThrottlesFrom = CLIENT_THROTTLES_FROM.get(apiKey);
      if (throttleMs > 0 && clientThrottlesFrom !== undefined && apiVersion < clientThrottlesFrom)
        setTimeout(encode, throttleMs);
      else encode();
    };
    const fail = (err: unknown): void => {
      services.logThrottle.error(
        queue.log,
        `handler-failed:${apiKey}`,
        { err, apiKey, apiVersion },
        `${handler.name} handler failed`,
      );
      // UNKNOWN_SERVER_ERROR in the API's own response; the connection stays open.
      let answer: unknown;
      try {
        answer = handler.errorResponse(request, -1, apiVersion);
      } catch {
        queue.close();
        return;
      }
      respond(answer);
    };
    try {
      const result = handler.handle(request, ctx);
      if (timed) handleMs = performance.now() - timedStart;
      if (result instanceof Promise) result.then(respond, fail);
      else respond(result);
    } catch (err) {
      fail(err);
    }
  }

  /** Encodes a response frame (size, correlation id, response header, body) into its slot. */
  private encode(
    slot: ResponseSlot,
    correlationId: number,
    apiKey: number,
    apiVersion: number,
    body: (w: Writer) => void,
  ): void {
    const w = new Writer(256);
    w.writeInt32(0); // size, patched below
    w.writeInt32(correlationId);
    if (responseHeaderVersion(apiKey, apiVersion) >= 1) w.writeUVarint(0);
    try {
      body(w);
    } catch (err) {
      this.queue.log.error({ err, apiKey, apiVersion }, 'failed to encode response; closing');
      this.queue.close();
      return;
    }
    const chunks = w.chunks();
    chunks[0]!.writeInt32BE(w.length - 4, 0);
    this.queue.complete(slot, chunks, w.length);
  }

  /** Legacy SASL (after SaslHandshake v0): each frame is a raw token, answered by a raw token. */
  private onRawSaslToken(token: Buffer): void {
    const info = this.queue.info;
    const step = info.sasl!.authenticate(token);
    // Counted once per exchange: on failure, or on the round that authenticates (SCRAM takes two).
    if (step.errorCode !== 0 || step.principal)
      this.services.metrics?.authentication(info.listener.protocol, step.errorCode === 0);
    if (step.errorCode !== 0) {
      this.queue.log.info({ reason: step.errorMessage }, 'SASL authentication failed; closing');
      this.queue.close();
      return;
    }
    if (step.principal) {
      this.rawSasl = false;
      info.authenticated(step.principal);
    }
    const slot = newSlot();
    this.queue.enqueue(slot);
    const w = new Writer(64);
    w.writeInt32(step.response.length);
    w.writeRaw(step.response);
    this.queue.complete(slot, w.chunks(), w.length);
  }

  /** Warnings a client can trigger at will: rate-limited broker-wide (log-throttle.ts). */
  private warn(kind: string, obj: object, msg: string): void {
    this.services.logThrottle.warn(this.queue.log, kind, obj, msg);
  }
}
