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
 * Emits the per-request event; never throws into the response path. The data object always has
 * the same shape (so V8 keeps one hidden class for it); `user` is left out of the JSON when there
 * is none. The options go in one reused object (SCRATCH).
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
  const data = new RequestEvent(method, route, status, durationMs, user);
  const withOptions = key !== undefined || o.topic !== undefined;
  if (withOptions) {
    SCRATCH.key = key;
    SCRATCH.topic = o.topic;
  }
  try {
    emitter.emit(type, data, withOptions ? SCRATCH : undefined);
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
