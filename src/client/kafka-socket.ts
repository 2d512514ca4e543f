/**
 * `KafkaSocket`: a lean connection to one broker for requests of flexible versions (request header
 * v2, response header v1), used by `BatchProducer` for Produce instead of @platformatic/kafka's
 * `Connection` (which, per request, runs two fastq queues, a diagnostics context, a `Writer` that
 * copies the payload again, a `setTimeout` and a `DynamicBuffer` for the answer). Here the caller
 * encodes the whole frame into one Buffer (or chunks: large record batches are not copied into the
 * request), leaving `headerBytes` at its start, and the socket fills in the size, API key, version,
 * correlation id and client id and writes it once (one writev for chunks); the answer's body
 * (after the response header) is handed to the callback as a view of the bytes read, to be parsed
 * synchronously. Kafka answers the requests of one connection in order, so the requests in flight
 * are a FIFO checked against the correlation id. One timer per connection (not per request) checks
 * the oldest request's deadline.
 *
 * Plain TCP or TLS; no SASL (`BatchProducer` uses the library's connections when SASL is set). A
 * connection that fails, closes or times out answers every request in flight with a
 * `KafkaSocketError` and is dead: the owner opens a new one (`closed` says when).
 *
 *   const s = new KafkaSocket({ host, port }, { clientId: 'x', requestTimeoutMs: 30_000 });
 *   const frame = Buffer.allocUnsafe(s.headerBytes + bodyLength); // body written at s.headerBytes
 *   s.send(0, 9, frame, (err, body) => { ... });
 */
import { channel } from 'node:diagnostics_channel';
import { connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions as TlsOptions, connect as tlsConnect } from 'node:tls';
import { WireReader } from './wire-reader.ts';

const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Published once per request written (`{ apiKey, apiVersion, bytes }`), only while something
 * subscribes: benchmarks count Produce requests with it (the library's own channel does not see these).
 */
export const requestChannel = channel('samsa:client:kafka-socket:request');

export interface KafkaSocketOptions {
  clientId: string;
  tls?: TlsOptions;
  /** Send SNI: `true` for the broker's host name, or a name. */
  tlsServerName?: boolean | string;
  connectTimeoutMs?: number;
  /** A request not answered after this long fails the connection (and every request in flight). */
  requestTimeoutMs?: number;
}

/** A connection-level failure (refused, reset, closed, timed out): retriable by the caller. */
export class KafkaSocketError extends Error {
  override name = 'KafkaSocketError';
}

export type KafkaSocketCallback = (err: KafkaSocketError | null, body: Buffer | null) => void;

interface InFlight {
  correlationId: number;
  sentAt: number;
  callback: KafkaSocketCallback;
}

export class KafkaSocket {
  readonly headerBytes: number;
  readonly #clientId: Buffer;
  readonly #requestTimeoutMs: number;
  readonly #where: string;
  readonly #socket: Socket;
  readonly #inflight: InFlight[] = [];
  #head = 0;
  #correlationId = 0;
  #pending: Buffer | null = null;
  #timer: NodeJS.Timeout | null = null;
  #error: KafkaSocketError | null = null;
  #closed = false;

  constructor(broker: { host: string; port: number }, options: KafkaSocketOptions) {
    this.#clientId = Buffer.from(options.clientId, 'utf8');
    // size, api key, api version, correlation id, client id (int16 length + bytes), tagged fields
    this.headerBytes = 4 + 2 + 2 + 4 + 2 + this.#clientId.length + 1;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#where = `${broker.host}:${broker.port}`;
    const connectTimeout = options.connectTimeoutMs ?? 5000;
    if (options.tls) {
      const servername =
        options.tlsServerName === true
          ? broker.host
          : typeof options.tlsServerName === 'string'
            ? options.tlsServerName
            : undefined;
      this.#socket = tlsConnect(broker.port, broker.host, {
        ...options.tls,
        ...(servername === undefined ? {} : { servername }),
      });
    } else {
      // Reads into one buffer of this connection's (no stream 'data' event and chunk per read).
      this.#socket = netConnect({
        host: broker.host,
        port: broker.port,
        onread: {
          buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
          callback: (n: number, buf: Uint8Array) => {
            this.#onData(buf as Buffer, n);
            return true;
          },
        },
      });
    }
    const s = this.#socket;
    s.setNoDelay(true);
    s.setTimeout(connectTimeout);
    const onTimeout = (): void => {
      this.#error ??= new KafkaSocketError(`connection to ${this.#where} timed out`);
      s.destroy();
      this.#fail(this.#error);
    };
    s.once('timeout', onTimeout);
    s.once(options.tls ? 'secureConnect' : 'connect', () => {
      s.setTimeout(0);
      s.off('timeout', onTimeout);
    });
    if (options.tls) s.on('data', (chunk: Buffer) => this.#onData(chunk, chunk.length));
    s.on('error', (err) => {
      this.#error ??= new KafkaSocketError(`connection to ${this.#where}: ${err.message}`, { cause: err });
    });
    s.on('close', () =>
      this.#fail(this.#error ?? new KafkaSocketError(`connection to ${this.#where} closed`)),
    );
  }

  /** True once the connection failed or was closed: it takes no more requests. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Requests sent and not answered yet. */
  get inflight(): number {
    return this.#inflight.length - this.#head;
  }

  /**
   * Sends `frame` (the request body at `headerBytes`, the header filled in here); `callback` gets
   * the response body after the response header, valid only during the call. A frame given as
   * chunks (the first with the header's room) is written as one writev, the chunks not copied.
   */
  send(
    apiKey: number,
    apiVersion: number,
    frame: Buffer | readonly Buffer[],
    callback: KafkaSocketCallback,
  ): void {
    if (this.#closed) {
      callback(this.#error ?? new KafkaSocketError(`connection to ${this.#where} closed`), null);
      return;
    }
    let chunks: readonly Buffer[] | null = null;
    let size: number;
    if (Buffer.isBuffer(frame)) {
      size = frame.length;
    } else {
      chunks = frame;
      frame = chunks[0]!;
      size = 0;
      for (let i = 0; i < chunks.length; i++) size += chunks[i]!.length;
    }
    const correlationId = (this.#correlationId = (this.#correlationId + 1) & 0x7fffffff);
    frame.writeInt32BE(size - 4, 0);
    frame.writeInt16BE(apiKey, 4);
    frame.writeInt16BE(apiVersion, 6);
    frame.writeInt32BE(correlationId, 8);
    frame.writeInt16BE(this.#clientId.length, 12);
    this.#clientId.copy(frame, 14);
    frame[14 + this.#clientId.length] = 0;
    this.#inflight.push({ correlationId, sentAt: performance.now(), callback });
    if (this.#timer === null) this.#armTimer(this.#requestTimeoutMs);
    if (chunks === null || chunks.length === 1) {
      this.#socket.write(frame);
    } else {
      this.#socket.cork();
      for (let i = 0; i < chunks.length; i++) this.#socket.write(chunks[i]!);
      this.#socket.uncork();
    }
    if (requestChannel.hasSubscribers) requestChannel.publish({ apiKey, apiVersion, bytes: size });
  }

  /** Closes the connection; requests in flight are answered with an error. */
  close(): void {
    if (this.#closed) return;
    this.#error ??= new KafkaSocketError(`connection to ${this.#where} closed`);
    this.#socket.destroy();
    this.#fail(this.#error);
  }

  #armTimer(ms: number): void {
    this.#timer = setTimeout(() => this.#checkTimeout(), ms);
    this.#timer.unref();
  }

  #checkTimeout(): void {
    this.#timer = null;
    const oldest = this.#inflight[this.#head];
    if (oldest === undefined || this.#closed) return;
    const left = oldest.sentAt + this.#requestTimeoutMs - performance.now();
    if (left > 0) {
      this.#armTimer(left + 1);
      return;
    }
    this.#error = new KafkaSocketError(
      `request to ${this.#where} not answered within ${this.#requestTimeoutMs} ms`,
    );
    this.#socket.destroy();
    this.#fail(this.#error);
  }

  /** `chunk[0, length)` was read (the chunk may be a buffer reused by the next read). */
  #onData(chunk: Buffer, length: number): void {
    let buf = chunk;
    let end = length;
    if (this.#pending !== null) {
      buf = Buffer.concat([this.#pending, chunk.subarray(0, length)]);
      end = buf.length;
      this.#pending = null;
    }
    let at = 0;
    while (end - at >= 4) {
      const size = buf.readInt32BE(at);
      if (end - at - 4 < size) break;
      const start = at + 4;
      at = start + size;
      if (!this.#answer(buf, start, at)) return;
    }
    // A partial frame waits for the rest, copied out of a read buffer that is reused.
    if (at < end) this.#pending = Buffer.from(buf.subarray(at, end));
  }

  /** One response frame (`buf[start, end)` without its size); false when the connection is failed. */
  #answer(buf: Buffer, start: number, end: number): boolean {
    const request = this.#inflight[this.#head];
    const correlationId = end - start >= 4 ? buf.readInt32BE(start) : -1;
    if (request === undefined || request.correlationId !== correlationId) {
      this.#error = new KafkaSocketError(
        `unexpected response from ${this.#where}: correlation id ${correlationId}, expected ${request?.correlationId ?? 'none'}`,
      );
      this.#socket.destroy();
      this.#fail(this.#error);
      return false;
    }
    this.#inflight[this.#head++] = undefined as never;
    if (this.#head === this.#inflight.length) {
      this.#inflight.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024) {
      this.#inflight.splice(0, this.#head);
      this.#head = 0;
    }
    // Response header v1: correlation id, then tagged fields.
    let at: number;
    try {
      const header = new WireReader(buf, 'response header', start + 4, end);
      header.tags();
      at = header.at;
    } catch (err) {
      this.#error = new KafkaSocketError(`malformed response from ${this.#where}: ${(err as Error).message}`);
      this.#socket.destroy();
      this.#fail(this.#error);
      request.callback(this.#error, null); // taken off the in-flight list above
      return false;
    }
    request.callback(null, buf.subarray(at, end));
    return !this.#closed;
  }

  #fail(err: KafkaSocketError): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#closed && this.#head === this.#inflight.length) return;
    this.#closed = true;
    this.#error ??= err;
    const waiting = this.#inflight.slice(this.#head);
    this.#inflight.length = 0;
    this.#head = 0;
    this.#pending = null;
    for (const r of waiting) r.callback(err, null);
  }
}
