/**
 * One client connection: length-prefixed framing, responses written in request order (pipelined
 * requests may complete out of order; a slot queue releases them in order) and backpressure. What
 * happens to each frame (authentication gate, lazy handler loading, version check, decoding, the
 * handler call, quotas, the exception policy, encoding) is the dispatcher's (dispatch.ts).
 *
 * Protection: a frame larger than socket.request.max.bytes (on a SASL listener before
 * authentication: sasl.server.max.receive.size) or with a negative size closes the connection
 * before anything is buffered for it. Reading pauses while too many responses are pending, the
 * socket's write buffer is full, or the connection holds its share of memory for unsent responses
 * (or anything while the broker is at its bound: response-memory.ts). Each response's bytes are
 * counted from the moment a handler reads them until the kernel takes them; a socket error closes
 * the connection at once, and a closed connection gives back all it held. A client over a quota is
 * muted (not read from) for its throttle time. Idle connections are closed after
 * connections.max.idle.ms; a SASL connection not authenticated within the handshake timeout is
 * closed. The warnings a client can trigger at will (bad frames) are rate-limited broker-wide.
 * A large Produce frame that spans reads is assembled in a broker-wide buffer (frame-scratch.ts).
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { SaslSession } from './auth/sasl-session.ts';
import { Dispatcher, type ResponseQueue, type ResponseSlot } from './dispatch.ts';
import { frameScratch, releaseFrameScratch, SCRATCH_MAX_BYTES, SCRATCH_MIN_BYTES } from './frame-scratch.ts';
import type { ConnectionInfo, ListenerAddress } from './handler.ts';
import { usesSasl } from './listeners.ts';
import type { BrokerServices } from './services.ts';

const MAX_PENDING_RESPONSES = 256;
/** Produce's API key: its large frames are assembled in the scratch buffer (frame-scratch.ts). */
const PRODUCE_KEY = 0;
const HIGH_WATER_BYTES = 8 * 1024 * 1024;

let nextConnectionId = 1;

export class Connection {
  readonly info: ConnectionInfo;
  private readonly socket: Socket;
  private readonly services: BrokerServices;
  private readonly log: Logger;
  private readonly dispatcher: Dispatcher;
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly slots: ResponseSlot[] = [];
  /** Sum of the slots' counted bytes: this connection's use of its share. */
  private heldBytes = 0;
  private closed = false;
  private paused = false;
  /** Resolves when every accepted request has been answered (graceful shutdown). */
  private idleWaiters: (() => void)[] = [];
  private readonly closeController = new AbortController();
  private closeRequested = false;
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
    this.info = {
      id: nextConnectionId++,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      principal,
      closed: this.closeController.signal,
      listener,
      sasl,
      authenticated: (p) => {
        clearTimeout(this.handshakeTimer);
        return this.dispatcher.onAuthenticated(p);
      },
      requestClose: () => this.requestClose(),
      startRawSasl: () => this.dispatcher.startRawSasl(),
    };
    if (sasl) {
      this.handshakeTimer = setTimeout(() => {
        if (!this.dispatcher.authenticated) {
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
    this.dispatcher = new Dispatcher(services, this.responseQueue());
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
    if ((this.slots.length === 0 && !this.dispatcher.holding) || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Closed: nothing more will be written, so the whole share goes back at once. */
  private releaseHeld(): void {
    this.services.responseMemory.release(this.heldBytes);
    this.heldBytes = 0;
    for (const slot of this.slots) slot.bytes = 0;
  }

  /** Sets what `slot` counts against the bounds (ignored once closed: nothing is kept for it). */
  private setHeld(slot: ResponseSlot, bytes: number): void {
    if (this.closed) return;
    const delta = bytes - slot.bytes;
    if (delta === 0) return;
    slot.bytes = bytes;
    this.heldBytes += delta;
    if (delta > 0) this.services.responseMemory.hold(delta);
    else this.services.responseMemory.release(-delta);
  }

  /** The response's bytes are with the kernel (or were never sent): its count goes back. */
  private written(slot: ResponseSlot): void {
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
      const authenticated = this.dispatcher.authenticated;
      const max = authenticated
        ? this.services.config.socketRequestMaxBytes
        : this.services.config.saslServerMaxReceiveSize;
      if (size < 0 || size > max) {
        this.warn(
          authenticated ? 'frame:size' : 'frame:size-unauthenticated',
          { size, max },
          authenticated
            ? 'request size out of range; closing'
            : 'request larger than sasl.server.max.receive.size before authentication; closing',
        );
        this.close();
        return;
      }
      if (this.pendingBytes < 4 + size) return;
      this.take(4);
      // A large Produce frame spanning reads goes into the broker's scratch buffer (frame-scratch.ts).
      const scratch =
        size >= SCRATCH_MIN_BYTES &&
        size <= SCRATCH_MAX_BYTES &&
        authenticated &&
        this.pending[0]!.length < size &&
        this.peekApiKey() === PRODUCE_KEY;
      const frame = scratch ? this.takeInto(frameScratch(size)) : this.take(size);
      this.dispatcher.dispatch(frame);
      // Held while a handler module loads: that frame keeps the buffer.
      if (scratch && this.dispatcher.holding) releaseFrameScratch();
      this.maybePause();
    }
  }

  private peekInt32(): number {
    const first = this.pending[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.pending, Math.min(this.pendingBytes, 8));
    return head.readInt32BE(0);
  }

  /** The API key of the frame at the front of the pending chunks (its size already taken), or -1. */
  private peekApiKey(): number {
    const first = this.pending[0]!;
    return first.length >= 2 ? first.readInt16BE(0) : -1;
  }

  /** Moves `out.length` bytes from the front of the pending chunks into `out`. */
  private takeInto(out: Buffer): Buffer {
    const n = out.length;
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
    return this.takeInto(Buffer.allocUnsafe(n));
  }

  /** Warnings a client can trigger at will: rate-limited broker-wide (log-throttle.ts). */
  private warn(kind: string, obj: object, msg: string): void {
    this.services.logThrottle.warn(this.log, kind, obj, msg);
  }

  /** The dispatcher's view of this connection: its ordered responses, memory and closing. */
  private responseQueue(): ResponseQueue {
    const conn = this;
    return {
      info: this.info,
      log: this.log,
      get stopped() {
        return conn.closed || conn.closeRequested;
      },
      enqueue: (slot) => {
        this.slots.push(slot);
      },
      complete: (slot, chunks, length) => {
        // Records a Fetch read are referenced by the chunks, and counted already at their buffers' size.
        if (length > slot.bytes) this.setHeld(slot, length);
        slot.done = true;
        slot.chunks = chunks;
        this.flush();
      },
      hold: (slot, bytes) => {
        this.setHeld(slot, bytes);
        this.maybePause();
      },
      // Closed: an answer nobody will read takes nothing (a long poll ends on close and reads again).
      budget: (slot) =>
        this.closed
          ? { bytes: 0, atLeastOneBatch: false }
          : {
              bytes: this.services.responseMemory.budget(this.heldBytes),
              atLeastOneBatch: this.heldBytes === slot.bytes,
            },
      mute: (ms) => this.mute(ms),
      close: () => this.close(),
      resume: () => {
        this.maybePause();
        this.flush();
      },
    };
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
    if (this.slots.length === 0 && !this.dispatcher.holding) {
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
