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

/** Emits the per-request event; never throws into the response path. */
export function emitRequestEvent<Req>(
  emitter: Emitter,
  o: RequestEventOptions<Req>,
  type: string,
  req: Req,
  data: RequestEventData,
): void {
  const user = safeCall(o.user, req);
  if (user !== undefined) data.user = user;
  const key = o.key !== undefined ? safeCall(o.key, req) : user;
  const options: EmitOptions = {};
  if (key !== undefined) options.key = key;
  if (o.topic !== undefined) options.topic = o.topic;
  try {
    emitter.emit(type, data, options);
  } catch {
    // A bad user()/key() result (not a string) must not fail the request; the event is skipped.
  }
}
