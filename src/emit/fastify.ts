/**
 * Fastify plugin: one event per request, emitted in the onResponse hook (method, route pattern,
 * status, duration, user), and `request.emit(type, data, options)` for handlers. Register it with
 * `app.register(fastifyPlugin, { emitter })`; it applies to the whole app (not encapsulated).
 * Uses only Fastify's types: fastify is not needed at run time to load this module.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Emitter } from './emitter.ts';
import { type EmitFunction, emitRequestEvent, type RequestEventOptions } from './request-event.ts';

declare module 'fastify' {
  interface FastifyRequest {
    emit: EmitFunction;
  }
}

export interface FastifyEmitOptions extends RequestEventOptions<FastifyRequest> {
  emitter: Emitter;
}

type Plugin = ((app: FastifyInstance, options: FastifyEmitOptions) => Promise<void>) &
  Record<symbol, unknown>;

const startTimes = new WeakMap<FastifyRequest, number>();

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export const fastifyPlugin: Plugin = Object.assign(
  async (app: FastifyInstance, options: FastifyEmitOptions): Promise<void> => {
    const { emitter } = options;
    const type = options.type === undefined ? 'http.request' : options.type;
    app.decorateRequest('emit', function emit(this: FastifyRequest, t: string, data?: unknown, o?: object) {
      return emitter.emit(t, data, o);
    } as EmitFunction);
    if (type === false) return;
    // Callback-style hooks: an async hook costs a promise per request.
    app.addHook('onRequest', (request, _reply, done) => {
      startTimes.set(request, performance.now());
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      done();
      try {
        if (options.skip?.(request)) return;
      } catch {
        return; // a throwing skip() emits nothing, as before; the response is already sent
      }
      const start = startTimes.get(request) ?? performance.now();
      emitRequestEvent(
        emitter,
        options,
        type,
        request,
        request.method,
        request.routeOptions.url ?? pathOf(request.url),
        reply.statusCode,
        Math.round((performance.now() - start) * 1000) / 1000,
      );
    });
  },
  {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'samsa-emit',
  },
);
