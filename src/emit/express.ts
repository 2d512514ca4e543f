/**
 * Express (and Connect-style) middleware: one event per request, emitted when the response is
 * finished (method, route, status, duration, user), and `req.emitEvent(type, data, options)` for
 * handlers. Not `req.emit`: an Express request is a Node stream whose `emit` delivers its
 * 'data'/'end'/'close' events, and replacing it would break body parsing.
 *
 * A plain function over Node's request/response types: express is not a dependency. Per request it
 * allocates nothing of its own until the response finishes: the start time is a property of the
 * response and the 'finish' listener is shared by all requests (it reaches the request as
 * `res.req`, which Node sets on every server response).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Emitter } from './emitter.ts';
import { type EmitFunction, emitRequestEvent, type RequestEventOptions } from './request-event.ts';

/** The request as the middleware sees it (Express adds `route` and `originalUrl`). */
export interface ExpressLikeRequest extends IncomingMessage {
  route?: { path?: unknown };
  baseUrl?: string;
  originalUrl?: string;
  emitEvent?: EmitFunction;
}

// Express's own Request type (for apps with @types/express) gets `emitEvent` too.
declare global {
  namespace Express {
    interface Request {
      emitEvent: EmitFunction;
    }
  }
}

export type ExpressMiddleware = (
  req: ExpressLikeRequest,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

function routeOf(req: ExpressLikeRequest): string {
  const path = req.route?.path;
  if (typeof path === 'string') return req.baseUrl ? `${req.baseUrl}${path}` : path;
  const url = req.originalUrl ?? req.url ?? '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** When the middleware saw the response's request (performance.now()), kept on the response. */
const START = Symbol('samsa.emit.start');
type TimedResponse = ServerResponse<ExpressLikeRequest> & { [START]?: number };

export function expressMiddleware(
  emitter: Emitter,
  options: RequestEventOptions<ExpressLikeRequest> = {},
): ExpressMiddleware {
  const type = options.type === undefined ? 'http.request' : options.type;
  const skip = options.skip;
  const emitEvent: EmitFunction = (t, data, o) => emitter.emit(t, data, o);
  // One listener per middleware, not a closure per request: the response knows its request.
  function onFinish(this: TimedResponse): void {
    const req = this.req;
    const start = this[START];
    if (req === undefined || start === undefined || type === false) return;
    emitRequestEvent(
      emitter,
      options,
      type,
      req,
      req.method ?? 'GET',
      routeOf(req),
      this.statusCode,
      Math.round((performance.now() - start) * 1000) / 1000,
    );
  }
  return function samsaEmit(req, res, next) {
    req.emitEvent = emitEvent;
    if (type === false || skip?.(req)) {
      next();
      return;
    }
    (res as TimedResponse)[START] = performance.now();
    res.on('finish', onFinish);
    next();
  };
}
