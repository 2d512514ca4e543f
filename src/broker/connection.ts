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
 *
 * Reading: plain TCP sockets read into one buffer shared by every socket (shared-read-buffer.ts),
 * valid only while `receive` runs, so nothing may keep a view of it. A frame wholly inside one read
 * is copied into a Buffer of its own, except a Produce request, which is dispatched from the read
 * buffer as it is (the Produce handler keeps nothing of its request: frame-scratch.ts). A frame
 * spanning reads is assembled as its bytes arrive (a large Produce frame in a pooled buffer,
 * frame-scratch.ts); a frame's memory is taken once 1/16 of it has arrived (or it is at most 64 KiB),
 * and a frame above 4 MiB is gathered in copies of its reads and joined when complete. Bytes read
 * while reading is stopped (backpressure, a quota's mute) are copied and kept. TLS sockets emit
 * 'data' chunks of their own, which are kept without copying, as before.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { SaslSession } from './auth/sasl-session.ts';
import { Dispatcher, type ResponseQueue, type ResponseSlot } from './dispatch.ts';
import {
  giveBackFrameBuffer,
  SCRATCH_MAX_BYTES,
  SCRATCH_MIN_BYTES,
  takeFrameBuffer,
} from './frame-scratch.ts';
import type { ConnectionInfo, ListenerAddress } from './handler.ts';
import { usesSasl } from './listeners.ts';
import type { BrokerServices } from './services.ts';
import { readShared } from './shared-read-buffer.ts';

const MAX_PENDING_RESPONSES = 256;
/** Produce's API key: its frames are dispatched from the read buffer or a pooled one (frame-scratch.ts). */
const PRODUCE_KEY = 0;
/** A frame's size and API key: what is needed before its memory is chosen. */
const HEADER_BYTES = 6;
const HIGH_WATER_BYTES = 8 * 1024 * 1024;

let nextConnectionId = 1;

export class Connection {
  readonly info: ConnectionInfo;
  private readonly socket: Socket;
  private readonly services: BrokerServices;
  private readonly log: Logger;
  private readonly dispatcher: Dispatcher;
  /**
   * Bytes kept from earlier reads, in memory of this connection's own: a frame's first bytes (too
   * few to choose its memory yet), a frame above SCRATCH_MAX_BYTES, or frames read while reading
   * was stopped. Empty while `partial` is set.
   */
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The frame being assembled as its bytes arrive (it is the front of the input), and how much arrived. */
  private partial: Buffer | null = null;
  private partialFilled = 0;
  /** The pooled buffer (frame-scratch.ts) `partial` is a view of, or null. */
  private partialPooled: Buffer | null = null;
  /** A frame completed while reading was stopped: dispatched first when reading resumes. */
  private completed: { frame: Buffer; pooled: Buffer | null } | null = null;
  /** After a v0 SaslHandshake until authenticated: frames are raw SASL tokens (never lent). */
  private rawSasl = false;
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
        this.rawSasl = false;
        return this.dispatcher.onAuthenticated(p);
      },
      requestClose: () => this.requestClose(),
      startRawSasl: () => {
        this.rawSasl = true;
        this.dispatcher.startRawSasl();
      },
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
    socket.on('drain', () => this.maybeResume());
    socket.on('error', (err) => {
      this.log.debug({ err: err.message }, 'socket error');
      // The peer is gone: nothing more is read or written (requests still buffered would otherwise
      // be processed as failed writes free their share, each reading a whole answer for nobody).
      this.close();
    });
    socket.on('close', () => {
      this.closed = true;
      this.dropInput();
      this.releaseHeld();
      clearTimeout(this.handshakeTimer);
      clearTimeout(this.muteTimer);
      this.closeController.abort();
      this.releaseIdleWaiters();
    });
    // Plain TCP: reads land in the shared buffer (started here); TLS: 'data' chunks of their own.
    if (!readShared(socket, (nread, buf) => this.receive(buf, nread, false)))
      socket.on('data', (chunk: Buffer) => this.receive(chunk, chunk.length, true));
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
    this.dropInput();
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

  /** Whether frames are taken from the input now. */
  private get reading(): boolean {
    return !this.closed && !this.paused && !this.muted && !this.closeRequested;
  }

  /**
   * Bytes read: `buf[0, end)`. Owned chunks ('data' events: TLS) may be kept as they are; borrowed
   * ones (the shared read buffer) are valid only until this returns, so whatever is kept is copied.
   */
  private receive(buf: Buffer, end: number, owned: boolean): void {
    let at = 0;
    while (at < end && !this.closed) {
      if (this.partial !== null) {
        at = this.fill(buf, at, end);
        continue;
      }
      if (!this.reading) break;
      if (this.pendingBytes === 0 && this.completed === null) {
        at = this.parse(buf, at, end, owned);
        break;
      }
      // Kept bytes come first: a frame's header is completed, or a frame gathered as it comes.
      const n =
        this.pendingBytes < HEADER_BYTES ? Math.min(end - at, HEADER_BYTES - this.pendingBytes) : end - at;
      this.keep(buf, at, at + n, owned);
      at += n;
      this.processPending();
    }
    if (at < end && !this.closed) this.keep(buf, at, end, owned);
  }

  /** Dispatches the frames wholly in `buf[at, end)`, starts assembling one that is not; returns
   * where it stopped (the rest is to be kept). */
  private parse(buf: Buffer, at: number, end: number, owned: boolean): number {
    while (end - at >= 4 && this.reading) {
      const size = buf.readInt32BE(at);
      if (!this.acceptSize(size)) return end;
      if (end - at - 4 >= size) {
        const frame = buf.subarray(at + 4, at + 4 + size);
        at += 4 + size;
        this.dispatchFrame(owned || this.canLend(frame) ? frame : copyOf(frame), null);
        continue;
      }
      if (size > SCRATCH_MAX_BYTES || end - at < HEADER_BYTES || !assembleNow(size, end - at - 4)) return at;
      this.startPartial(size, buf.readInt16BE(at + 4));
      return this.fill(buf, at + 4, end);
    }
    return at;
  }

  /** Copies what `partial` still needs from `buf[at, end)`; dispatches it once complete. */
  private fill(buf: Buffer, at: number, end: number): number {
    const frame = this.partial!;
    const n = Math.min(end - at, frame.length - this.partialFilled);
    buf.copy(frame, this.partialFilled, at, at + n);
    this.partialFilled += n;
    if (this.partialFilled === frame.length) {
      const pooled = this.partialPooled;
      this.partial = null;
      this.partialPooled = null;
      this.partialFilled = 0;
      if (this.reading) this.dispatchFrame(frame, pooled);
      else this.completed = { frame, pooled };
    }
    return at + n;
  }

  /** Memory for a frame of `size` bytes (at most SCRATCH_MAX_BYTES) whose bytes are arriving. */
  private startPartial(size: number, apiKey: number): void {
    if (apiKey === PRODUCE_KEY && size >= SCRATCH_MIN_BYTES && this.mayShareProduce()) {
      const pooled = takeFrameBuffer(size);
      this.partialPooled = pooled;
      this.partial = pooled.subarray(0, size);
    } else {
      this.partialPooled = null;
      this.partial = Buffer.allocUnsafe(size);
    }
    this.partialFilled = 0;
  }

  /** Keeps `buf[from, to)` for later (a copy unless the chunk is the connection's own). */
  private keep(buf: Buffer, from: number, to: number, owned: boolean): void {
    const bytes = buf.subarray(from, to);
    this.pending.push(owned ? bytes : copyOf(bytes));
    this.pendingBytes += to - from;
  }

  /** Processes what was kept (a frame completed while stopped, then the pending bytes): frames
   * wholly there are dispatched, a frame whose memory can be chosen starts being assembled. */
  private processPending(): void {
    if (this.completed !== null && this.reading) {
      const { frame, pooled } = this.completed;
      this.completed = null;
      this.dispatchFrame(frame, pooled);
    }
    while (this.reading && this.pendingBytes >= 4) {
      const size = this.peekInt32();
      if (!this.acceptSize(size)) return;
      if (this.pendingBytes < 4 + size) {
        if (
          size <= SCRATCH_MAX_BYTES &&
          this.pendingBytes >= HEADER_BYTES &&
          assembleNow(size, this.pendingBytes - 4)
        ) {
          this.take(4);
          this.startPartial(size, this.peekApiKey());
          this.moveAllInto(this.partial!);
        }
        return;
      }
      this.take(4);
      const pooled =
        size >= SCRATCH_MIN_BYTES &&
        size <= SCRATCH_MAX_BYTES &&
        this.pending[0]!.length < size &&
        this.peekApiKey() === PRODUCE_KEY &&
        this.mayShareProduce()
          ? takeFrameBuffer(size)
          : null;
      const frame = pooled ? this.takeInto(pooled.subarray(0, size)) : this.take(size);
      this.dispatchFrame(frame, pooled);
    }
  }

  /** Checks a frame's size: out of range closes the connection (false). */
  private acceptSize(size: number): boolean {
    // Before SASL authentication only sasl.server.max.receive.size is accepted (as Kafka).
    const authenticated = this.dispatcher.authenticated;
    const max = authenticated
      ? this.services.config.socketRequestMaxBytes
      : this.services.config.saslServerMaxReceiveSize;
    if (size >= 0 && size <= max) return true;
    this.warn(
      authenticated ? 'frame:size' : 'frame:size-unauthenticated',
      { size, max },
      authenticated
        ? 'request size out of range; closing'
        : 'request larger than sasl.server.max.receive.size before authentication; closing',
    );
    this.close();
    return false;
  }

  /**
   * Whether a Produce frame may sit in memory that is reused once it is dispatched (the shared read
   * buffer, a pooled buffer): the Produce handler is done with it when `dispatch` returns
   * (frame-scratch.ts). Not before authentication, nor during a raw SASL exchange (the frame is a
   * token then), nor while the dispatcher holds frames (this one would be held too).
   */
  private mayShareProduce(): boolean {
    return this.dispatcher.authenticated && !this.rawSasl && !this.dispatcher.holding;
  }

  /** A frame in the shared read buffer dispatched without a copy: a Produce request whose handler is loaded. */
  private canLend(frame: Buffer): boolean {
    return (
      frame.length >= 8 &&
      frame.readInt16BE(0) === PRODUCE_KEY &&
      this.mayShareProduce() &&
      this.services.handlers.get(PRODUCE_KEY) !== undefined
    );
  }

  private dispatchFrame(frame: Buffer, pooled: Buffer | null): void {
    this.dispatcher.dispatch(frame);
    // Held while a handler module loads: that frame keeps its buffer.
    if (pooled !== null && !this.dispatcher.holding) giveBackFrameBuffer(pooled);
    this.maybePause();
  }

  /** Closed: what was read and not dispatched is dropped (a pooled buffer goes back). */
  private dropInput(): void {
    if (this.partialPooled !== null) giveBackFrameBuffer(this.partialPooled);
    if (this.completed?.pooled) giveBackFrameBuffer(this.completed.pooled);
    this.partial = null;
    this.partialPooled = null;
    this.completed = null;
    this.pending.length = 0;
    this.pendingBytes = 0;
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

  /** Moves every pending byte into the start of `partial` (the frame they begin). */
  private moveAllInto(partial: Buffer): void {
    for (const c of this.pending) {
      c.copy(partial, this.partialFilled);
      this.partialFilled += c.length;
    }
    this.pending.length = 0;
    this.pendingBytes = 0;
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
      this.processPending();
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
      this.processPending();
    }
  }
}

/** A copy of `bytes` in memory of its own (small ones share Node's pool). */
function copyOf(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  bytes.copy(out);
  return out;
}

/** Whether a frame's memory is taken now: at most 64 KiB, or 1/16 of it arrived (a size alone
 * does not make the broker allocate megabytes). */
function assembleNow(size: number, arrived: number): boolean {
  return size <= SCRATCH_MIN_BYTES || arrived * 16 >= size;
}

/** Runs release callbacks (the socket's write callback passes an error on failure; unused). */
function runAll(callbacks: (() => void)[]): void {
  for (const fn of callbacks) fn();
}
