/**
 * What the Express middleware and the Fastify plugin share: their options and the data of the one
 * event emitted per request (`http.request` by default, keyed by the user when there is one).
 */
import type { EmitOptions } from './cloudevent.ts';
import type { Emitter } from './emitter.ts';

export interface RequestEventOptions<Req> {
  /** CloudEvents type of the per-request event (default `http.request`); `false` emits none. */
  type?: string | false;
  /** The user behind the request (an id), or undefined. Exceptions count as no user. */
  user?: (req: Req) => string | undefined;
  /** Partition key of the per-request event (default: the user, if any). */
  key?: (req: Req) => string | undefined;
  /** Requests to skip (health checks, ...). */
  skip?: (req: Req) => boolean;
  /** Topic of the per-request event (default: the emitter's). */
  topic?: string;
}

export interface RequestEventData {
  method: string;
  /** The route pattern (`/items/:id`), or the path when no route matched. */
  route: string;
  status: number;
  /** Milliseconds from the request's arrival to the response being handed to the OS. */
  durationMs: number;
  user?: string;
}

/** The function handlers call (`req.emitEvent` / `request.emit`), bound to the emitter. */
export type EmitFunction = (type: string, data?: unknown, options?: EmitOptions) => string;

export function safeCall<Req, T>(fn: ((req: Req) => T) | undefined, req: Req): T | undefined {
  if (fn === undefined) return undefined;
  try {
    return fn(req);
  } catch {
    return undefined;
  }
}

/**
 * Emits the per-request event; never throws into the response path. The user and the key are
 * taken now (from the request as it is at the end of the response). An emitter made by
 * `createEmitter` takes the event's facts as they are and encodes it later, together with other
 * requests' events (`DeferredRequestEvents`: in groups, before a batch is taken and before any
 * other `emit()`); any other `Emitter` gets an `emit()` call now.
 */
export function emitRequestEvent<Req>(
  emitter: Emitter,
  o: RequestEventOptions<Req>,
  type: string,
  req: Req,
  method: string,
  route: string,
  status: number,
  durationMs: number,
): void {
  const user = o.user === undefined ? undefined : safeCall(o.user, req);
  const key = o.key !== undefined ? safeCall(o.key, req) : user;
  const deferring = emitter as Partial<DeferringEmitter>;
  const store = deferring[DEFERRED];
  if (store !== undefined) {
    const now = Date.now();
    store.push(type, method, route, status, durationMs, user, key, o.topic, now);
    deferring[DEFERRED_PUSHED]!(now);
    return;
  }
  emitNow(
    (t, d, opts) => emitter.emit(t, d, opts),
    0,
    type,
    new RequestEvent(method, route, status, durationMs, user as string | undefined),
    key,
    o.topic,
  );
}

/** One emit of a request event with its options; a bad user()/key() result skips the event. */
function emitNow(
  emit: (type: string, data: unknown, options: EmitOptions | undefined, now: number) => unknown,
  now: number,
  type: string,
  data: RequestEvent,
  key: unknown,
  topic: string | undefined,
): void {
  const withOptions = key !== undefined || topic !== undefined;
  if (withOptions) {
    SCRATCH.key = key as string | undefined;
    SCRATCH.topic = topic;
  }
  try {
    emit(type, data, withOptions ? SCRATCH : undefined, now);
  } catch {
    // A bad user()/key() result (not a string) must not fail the request; the event is skipped.
  } finally {
    SCRATCH.key = undefined;
    SCRATCH.topic = undefined;
  }
}

/**
 * The options of the per-request event, one object reused by every call: emit() reads its options
 * during the call and keeps no reference to them, so no object per request is needed.
 */
const SCRATCH: { key: string | undefined; topic: string | undefined } = { key: undefined, topic: undefined };

/** The emitter's store of per-request events to encode later, and its hook after each push. */
export const DEFERRED = Symbol('samsa.emit.deferred');
export const DEFERRED_PUSHED = Symbol('samsa.emit.deferredPushed');

/** What `createEmitter`'s emitters have (emitter.ts); any other `Emitter` gets `emit()` calls. */
export interface DeferringEmitter {
  readonly [DEFERRED]: DeferredRequestEvents;
  /** After each push (`now`: the event's time): encodes a full group, or arms the linger timer. */
  [DEFERRED_PUSHED](now: number): void;
}

/**
 * Per-request events not encoded yet, as their facts in parallel arrays (no object per request).
 * Encoding an event in the request's own turn of the loop runs cold — the code and data of the
 * encoder pushed out of the caches by the app's own work since the last request — and costs an
 * order of magnitude more than encoding the same events one after the other (27-39 µs against
 * 3-6 µs per event measured here); the emitter encodes these in groups (GROUP) and just before it
 * takes a batch, in the order of the calls, and before any other `emit()` so that events keep call
 * order per partition.
 * The data is ours and immutable, so encoding later changes nothing but the id's generation time.
 */
export class DeferredRequestEvents {
  /**
   * At most this many wait: the one that makes them this many has them encoded at once, in its
   * request's turn (~16 × 4 µs: in a row they are warm, and the work is spread over the linger time
   * instead of one burst of all of its events when the batch is taken).
   */
  static readonly GROUP = 16;
  length = 0;
  readonly #types: string[] = [];
  readonly #methods: string[] = [];
  readonly #routes: string[] = [];
  readonly #users: unknown[] = [];
  readonly #keys: unknown[] = [];
  readonly #topics: (string | undefined)[] = [];
  readonly #numbers = new Float64Array(3 * DeferredRequestEvents.GROUP);

  push(
    type: string,
    method: string,
    route: string,
    status: number,
    durationMs: number,
    user: unknown,
    key: unknown,
    topic: string | undefined,
    now: number,
  ): void {
    const i = this.length++;
    this.#types[i] = type;
    this.#methods[i] = method;
    this.#routes[i] = route;
    this.#users[i] = user;
    this.#keys[i] = key;
    this.#topics[i] = topic;
    this.#numbers[3 * i] = status;
    this.#numbers[3 * i + 1] = durationMs;
    this.#numbers[3 * i + 2] = now;
  }

  /** Emits every waiting event through `emitAt` (at its own time), oldest first, and forgets them. */
  replay(
    emitAt: (type: string, data: unknown, options: EmitOptions | undefined, now: number) => unknown,
  ): void {
    const n = this.length;
    // Taken first: an emit that throws, or one that defers again, cannot replay an event twice.
    this.length = 0;
    for (let i = 0; i < n; i++) {
      const data = new RequestEvent(
        this.#methods[i]!,
        this.#routes[i]!,
        this.#numbers[3 * i]!,
        this.#numbers[3 * i + 1]!,
        this.#users[i] as string | undefined,
      );
      emitNow(emitAt, this.#numbers[3 * i + 2]!, this.#types[i]!, data, this.#keys[i], this.#topics[i]);
      this.#users[i] = undefined;
      this.#keys[i] = undefined;
    }
  }
}

/** RequestEventData with a fixed shape; JSON.stringify leaves out an undefined `user`. */
class RequestEvent {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
  readonly user: string | undefined;
  constructor(method: string, route: string, status: number, durationMs: number, user: string | undefined) {
    this.method = method;
    this.route = route;
    this.status = status;
    this.durationMs = durationMs;
    this.user = user;
  }
}
