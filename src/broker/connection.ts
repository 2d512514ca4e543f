/**
 * One client connection: length-prefixed framing, request header parsing, dispatch to handlers,
 * and responses written in request order (pipelined requests may complete out of order; a slot
 * queue releases them in order). Produce with acks=0 takes a slot that sends nothing.
 *
 * Protection: a frame larger than socket.request.max.bytes (on a SASL listener before
 * authentication: sasl.server.max.receive.size) or with a negative size closes the connection
 * before anything is buffered for it; undecodable headers/bodies, unknown API keys and
 * unsupported versions close it too (as Kafka does) — except ApiVersions at an unknown version,
 * which gets the KIP-511 v0 answer with UNSUPPORTED_VERSION. Reading pauses while too many
 * responses are pending, the socket's write buffer is full, or the connection holds its share of
 * memory for unsent responses (or anything while the broker is at its bound: response-memory.ts).
 * Each response's bytes are counted from the moment a handler reads them until the kernel takes
 * them; a socket error closes the connection at once, and a closed connection gives back all it
 * held. A client over a quota (quotas/) gets the throttle time in its response and its connection
 * muted (not read from) for that long; Produce before v6 and Fetch before v8 (pre-KIP-219 clients)
 * get the response itself delayed. Idle connections are closed after connections.max.idle.ms. The warnings a client can
 * trigger at will (bad frames, failing handlers) are rate-limited broker-wide, with counts.
 */
import type { Socket } from 'node:net';
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
import { SaslSession } from './auth/sasl-session.ts';
import type { ConnectionInfo, ListenerAddress, RequestContext } from './handler.ts';
import { encodeUnsupportedApiVersions } from './handlers/18-api-versions.ts';
import { usesSasl } from './listeners.ts';
import type { BrokerServices } from './services.ts';

const MAX_PENDING_RESPONSES = 256;
const HIGH_WATER_BYTES = 8 * 1024 * 1024;
const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
/** Before these versions (KIP-219) Kafka delays a throttled response instead of only muting. */
const CLIENT_THROTTLES_FROM: ReadonlyMap<number, number> = new Map([
  [0, 6],
  [1, 8],
]);

interface Slot {
  done: boolean;
  chunks: Buffer[] | null;
  /** Memory counted for this response (response-memory.ts) until the kernel has its bytes. */
  bytes: number;
  /** Run once the response's bytes are handed to the kernel (pooled read buffers go back). */
  afterWrite: (() => void)[];
}

let nextConnectionId = 1;

export class Connection {
  readonly info: ConnectionInfo;
  private readonly socket: Socket;
  private readonly services: BrokerServices;
  private readonly log: Logger;
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly slots: Slot[] = [];
  /** Sum of the slots' counted bytes: this connection's use of its share. */
  private heldBytes = 0;
  private closed = false;
  private paused = false;
  /** Resolves when every accepted request has been answered (graceful shutdown). */
  private idleWaiters: (() => void)[] = [];
  private readonly closeController = new AbortController();
  /** False on SASL listeners until SaslAuthenticate succeeds. */
  private isAuthenticated: boolean;
  /** With connections.max.reauth.ms: when the SASL session ends (0 = never). */
  private sessionExpiresAt = 0;
  private rawSasl = false;
  private closeRequested = false;
  /** Frames waiting, in arrival order, while a handler module loads on its first use. */
  private heldFrames: Buffer[] | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  /** Throttled by a quota: nothing is read until the timer fires. */
  private muted = false;
  private muteTimer: NodeJS.Timeout | undefined;
  private mutedUntil = 0;

  constructor(
    socket: Socket,
    services: BrokerServices,
    listener: ListenerAddress,
    principal = 'User:ANONYMOUS',
  ) {
    this.socket = socket;
    this.services = services;
    const sasl = usesSasl(listener.protocol)
      ? new SaslSession(services.saslMechanisms, services.credentials)
      : null;
    this.isAuthenticated = sasl === null;
    this.info = {
      id: nextConnectionId++,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      principal,
      closed: this.closeController.signal,
      listener,
      sasl,
      authenticated: (p) => this.onAuthenticated(p),
      requestClose: () => this.requestClose(),
      startRawSasl: () => {
        this.rawSasl = true;
      },
    };
    if (sasl) {
      this.handshakeTimer = setTimeout(() => {
        if (!this.isAuthenticated) {
          this.log.info('SASL authentication not completed in time; closing');
          this.close();
        }
      }, services.config.saslHandshakeTimeoutMs);
      this.handshakeTimer.unref();
    }
    this.log = services.loggers.get('samsa.network').child({
      conn: this.info.id,
      remote: `${this.info.remoteAddress}:${this.info.remotePort}`,
    });
    socket.setNoDelay(true);
    socket.setTimeout(services.config.connectionsMaxIdleMs, () => {
      this.log.debug('closing idle connection');
      this.close();
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.maybeResume());
    socket.on('error', (err) => {
      this.log.debug({ err: err.message }, 'socket error');
      // The peer is gone: nothing more is read or written (requests still buffered would otherwise
      // be processed as failed writes free their share, each reading a whole answer for nobody).
      this.close();
    });
    socket.on('close', () => {
      this.closed = true;
      this.releaseHeld();
      clearTimeout(this.handshakeTimer);
      clearTimeout(this.muteTimer);
      this.closeController.abort();
      this.releaseIdleWaiters();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onAuthenticated(principal: string): number {
    this.info.principal = principal;
    this.isAuthenticated = true;
    clearTimeout(this.handshakeTimer);
    const lifetime = this.services.config.connectionsMaxReauthMs;
    this.sessionExpiresAt = lifetime > 0 ? Date.now() + lifetime : 0;
    this.log.debug({ principal }, 'authenticated');
    return lifetime;
  }

  private requestClose(): void {
    this.closeRequested = true;
    this.flush();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.releaseHeld();
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.muteTimer);
    this.socket.destroy();
    this.closeController.abort();
    this.releaseIdleWaiters();
  }

  /** Stops reading new requests and resolves once every accepted one has been answered. */
  drain(): Promise<void> {
    this.socket.pause();
    this.paused = true;
    if ((this.slots.length === 0 && !this.heldFrames) || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Closed: nothing more will be written, so the whole share goes back at once. */
  private releaseHeld(): void {
    this.services.responseMemory.release(this.heldBytes);
    this.heldBytes = 0;
    for (const slot of this.slots) slot.bytes = 0;
  }

  /** Sets what `slot` counts against the bounds (ignored once closed: nothing is kept for it). */
  private setHeld(slot: Slot, bytes: number): void {
    if (this.closed) return;
    const delta = bytes - slot.bytes;
    if (delta === 0) return;
    slot.bytes = bytes;
    this.heldBytes += delta;
    if (delta > 0) this.services.responseMemory.hold(delta);
    else this.services.responseMemory.release(-delta);
  }

  /** The response's bytes are with the kernel (or were never sent): its count goes back. */
  private written(slot: Slot): void {
    runAll(slot.afterWrite);
    if (slot.bytes === 0) return;
    this.setHeld(slot, 0);
    this.maybeResume();
  }

  private releaseIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private onData(chunk: Buffer): void {
    if (chunk.length > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
    while (!this.closed && !this.paused && !this.muted && !this.closeRequested && this.pendingBytes >= 4) {
      const size = this.peekInt32();
      // Before SASL authentication only sasl.server.max.receive.size is accepted (as Kafka).
      const max = this.isAuthenticated
        ? this.services.config.socketRequestMaxBytes
        : this.services.config.saslServerMaxReceiveSize;
      if (size < 0 || size > max) {
        this.warn(
          this.isAuthenticated ? 'frame:size' : 'frame:size-unauthenticated',
          { size, max },
          this.isAuthenticated
            ? 'request size out of range; closing'
            : 'request larger than sasl.server.max.receive.size before authentication; closing',
        );
        this.close();
        return;
      }
      if (this.pendingBytes < 4 + size) return;
      this.take(4);
      const frame = this.take(size);
      this.onFrame(frame);
      this.maybePause();
    }
  }

  /** Processes the frames held while a handler loaded, in order (onFrame holds the rest again if
   * one of them starts another load). */
  private releaseHeldFrames(): void {
    const frames = this.heldFrames ?? [];
    this.heldFrames = undefined;
    for (const frame of frames) {
      if (this.closed || this.closeRequested) break;
      this.onFrame(frame);
    }
    this.maybePause();
    this.flush();
  }

  private peekInt32(): number {
    const first = this.pending[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.pending, Math.min(this.pendingBytes, 8));
    return head.readInt32BE(0);
  }

  /** Removes n bytes from the front of the pending chunks, copying only when a frame spans chunks. */
  private take(n: number): Buffer {
    const first = this.pending[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
      this.pendingBytes -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.pending[0]!;
      const want = n - filled;
      if (c.length <= want) {
        c.copy(out, filled);
        filled += c.length;
        this.pending.shift();
      } else {
        c.copy(out, filled, 0, want);
        this.pending[0] = c.subarray(want);
        filled += want;
      }
    }
    this.pendingBytes -= n;
    return out;
  }

  /** Legacy SASL (after SaslHandshake v0): each frame is a raw token, answered by a raw token. */
  private onRawSaslToken(token: Buffer): void {
    const step = this.info.sasl!.authenticate(token);
    // Counted once per exchange: on failure, or on the round that authenticates (SCRAM takes two).
    if (step.errorCode !== 0 || step.principal)
      this.services.metrics?.authentication(this.info.listener.protocol, step.errorCode === 0);
    if (step.errorCode !== 0) {
      this.log.info({ reason: step.errorMessage }, 'SASL authentication failed; closing');
      this.close();
      return;
    }
    if (step.principal) {
      this.rawSasl = false;
      this.onAuthenticated(step.principal);
    }
    const slot = this.newSlot();
    const w = new Writer(64);
    w.writeInt32(step.response.length);
    w.writeRaw(step.response);
    slot.done = true;
    slot.chunks = w.chunks();
    this.flush();
  }

  private onFrame(frame: Buffer): void {
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
      this.close();
      return;
    }
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    const saslRequest = apiKey === API_VERSIONS || apiKey === SASL_HANDSHAKE || apiKey === SASL_AUTHENTICATE;
    if (!saslRequest) {
      if (!this.isAuthenticated) {
        this.warn(
          'frame:unauthenticated',
          { apiKey },
          'request before SASL authentication completed; closing',
        );
        this.close();
        return;
      }
      if (this.sessionExpiresAt > 0 && Date.now() > this.sessionExpiresAt) {
        this.log.info('SASL session expired without re-authentication; closing');
        this.close();
        return;
      }
    }
    const handler = this.services.handlers.get(apiKey);
    if (!handler) {
      const loading = this.services.handlers.load(apiKey);
      if (!loading) {
        this.warn('frame:unknown-api', { apiKey, apiVersion }, `unknown API key ${apiKey}; closing`);
        this.close();
        return;
      }
      // First request for this API since the broker started: hold this and every later frame, in
      // order, until its handler module has loaded.
      this.heldFrames = [frame];
      loading.then(
        () => this.releaseHeldFrames(),
        (err: unknown) => {
          this.log.error({ err, apiKey }, 'loading the handler failed; closing');
          this.close();
        },
      );
      return;
    }
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === API_VERSIONS) {
        // KIP-511: answer in v0 format with UNSUPPORTED_VERSION and our ranges; the client retries.
        const slot = this.newSlot();
        this.finish(slot, correlationId, apiKey, 0, (w) => encodeUnsupportedApiVersions(w, this.services));
        return;
      }
      const name = API_KEY_BY_ID.get(apiKey)?.name ?? String(apiKey);
      this.warn(
        `frame:unsupported-version:${apiKey}`,
        { apiKey, apiVersion, supported: `${handler.minVersion}-${handler.maxVersion}` },
        `unsupported ${name} version ${apiVersion}; closing`,
      );
      this.close();
      return;
    }
    let request: unknown;
    let ctx: RequestContext;
    // Pushed to the queue only once the request decodes.
    const slot: Slot = { done: false, chunks: null, bytes: 0, afterWrite: [] };
    let throttleMs = 0;
    try {
      const r = new Reader(frame);
      const header = readRequestHeader(r, requestHeaderVersion(apiKey, apiVersion));
      ctx = {
        services: this.services,
        apiKey,
        apiVersion,
        correlationId,
        clientId: header.clientId,
        connection: this.info,
        holdUntilWritten: (release) => slot.afterWrite.push(release),
        // Closed: an answer nobody will read takes nothing (a long poll ends on close and reads again).
        responseBudget: () =>
          this.closed
            ? { bytes: 0, atLeastOneBatch: false }
            : {
                bytes: this.services.responseMemory.budget(this.heldBytes),
                atLeastOneBatch: this.heldBytes === slot.bytes,
              },
        holdBytes: (bytes) => {
          this.setHeld(slot, bytes);
          this.maybePause();
        },
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
      this.close();
      return;
    }
    this.slots.push(slot);
    const metrics = this.services.metrics;
    const started = metrics ? performance.now() : 0;
    const quotas = this.services.quotas;
    const timed = !saslRequest && quotas.enabled('request_percentage');
    const timedStart = timed ? performance.now() : 0;
    let handleMs = 0;
    const respond = (response: unknown): void => {
      metrics?.request(apiKey, performance.now() - started);
      if (timed) {
        // request_percentage: the handler's time on the event loop, in percent of a second.
        const throttle = quotas.record(
          'request_percentage',
          this.info.principal,
          ctx.clientId,
          handleMs / 10,
        );
        if (throttle > throttleMs) throttleMs = throttle;
      }
      if (throttleMs > 0) {
        this.mute(throttleMs);
        if (
          response !== null &&
          typeof (response as { throttleTimeMs?: unknown }).throttleTimeMs === 'number'
        ) {
          const r = response as { throttleTimeMs: number };
          r.throttleTimeMs = Math.max(r.throttleTimeMs, throttleMs);
        }
      }
      if (response === null) {
        slot.done = true;
        this.flush();
        return;
      }
      const encode = (): void => {
        const t0 = timed ? performance.now() : 0;
        this.finish(slot, correlationId, apiKey, apiVersion, (w) =>
          handler.writeResponse(w, apiVersion, response),
        );
        if (timed)
          quotas.record(
            'request_percentage',
            this.info.principal,
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
      this.services.logThrottle.error(
        this.log,
        `handler-failed:${apiKey}`,
        { err, apiKey, apiVersion },
        `${handler.name} handler failed`,
      );
      // UNKNOWN_SERVER_ERROR in the API's own response; the connection stays open.
      let answer: unknown;
      try {
        answer = handler.errorResponse(request, -1, apiVersion);
      } catch {
        this.close();
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

  /** Warnings a client can trigger at will: rate-limited broker-wide (log-throttle.ts). */
  private warn(kind: string, obj: object, msg: string): void {
    this.services.logThrottle.warn(this.log, kind, obj, msg);
  }

  private newSlot(): Slot {
    const slot: Slot = { done: false, chunks: null, bytes: 0, afterWrite: [] };
    this.slots.push(slot);
    return slot;
  }

  private finish(
    slot: Slot,
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
      this.log.error({ err, apiKey, apiVersion }, 'failed to encode response; closing');
      this.close();
      return;
    }
    const chunks = w.chunks();
    chunks[0]!.writeInt32BE(w.length - 4, 0);
    // Records a Fetch read are referenced by the chunks, and counted already at their buffers' size.
    if (w.length > slot.bytes) this.setHeld(slot, w.length);
    slot.done = true;
    slot.chunks = chunks;
    this.flush();
  }

  /** Writes finished responses from the head of the queue, in request order. */
  private flush(): void {
    if (this.closed) return;
    let wrote = false;
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!;
      if (slot.chunks) {
        if (!wrote) this.socket.cork();
        wrote = true;
        const last = slot.chunks.length - 1;
        for (let i = 0; i < last; i++) this.socket.write(slot.chunks[i]!);
        this.socket.write(slot.chunks[last]!, (err) => {
          if (err) this.close();
          this.written(slot);
        });
      } else {
        this.written(slot);
      }
    }
    if (wrote) this.socket.uncork();
    if (this.slots.length === 0 && !this.heldFrames) {
      this.releaseIdleWaiters();
      if (this.closeRequested) {
        this.closed = true;
        this.closeController.abort();
        this.socket.end();
        setTimeout(() => this.socket.destroy(), 1000).unref();
        return;
      }
    }
    this.maybeResume();
  }

  /** Stops reading for `ms` (a quota throttle); a longer throttle already running is kept. */
  private mute(ms: number): void {
    if (this.closed) return;
    const until = Date.now() + ms;
    if (this.muted && this.mutedUntil >= until) return;
    clearTimeout(this.muteTimer);
    this.muted = true;
    this.mutedUntil = until;
    this.socket.pause();
    this.muteTimer = setTimeout(() => {
      this.muted = false;
      if (this.closed || this.paused) return;
      this.socket.resume();
      if (this.pendingBytes >= 4) this.onData(Buffer.alloc(0));
    }, ms);
  }

  private maybePause(): void {
    if (this.paused || this.closed) return;
    if (
      this.slots.length >= MAX_PENDING_RESPONSES ||
      this.socket.writableLength > HIGH_WATER_BYTES ||
      this.services.responseMemory.isOver(this.heldBytes)
    ) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private maybeResume(): void {
    if (!this.paused || this.closed || this.idleWaiters.length > 0) return;
    if (
      this.slots.length < MAX_PENDING_RESPONSES / 2 &&
      this.socket.writableLength <= HIGH_WATER_BYTES &&
      !this.services.responseMemory.isOver(this.heldBytes)
    ) {
      this.paused = false;
      if (this.muted) return;
      this.socket.resume();
      // Frames already buffered while paused are processed now.
      if (this.pendingBytes >= 4) this.onData(Buffer.alloc(0));
    }
  }
}

/** Runs release callbacks (the socket's write callback passes an error on failure; unused). */
function runAll(callbacks: (() => void)[]): void {
  for (const fn of callbacks) fn();
}
