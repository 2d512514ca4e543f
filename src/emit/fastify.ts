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

export const fastifyPlugin: Plugin = Object.assign(
  async (app: FastifyInstance, options: FastifyEmitOptions): Promise<void> => {
    const { emitter } = options;
    const type = options.type === undefined ? 'http.request' : options.type;
    app.decorateRequest('emit', function emit(this: FastifyRequest, t: string, data?: unknown, o?: object) {
      return emitter.emit(t, data, o);
    } as EmitFunction);
    if (type === false) return;
    app.addHook('onRequest', async (request) => {
      startTimes.set(request, performance.now());
    });
    app.addHook('onResponse', async (request, reply) => {
      if (options.skip?.(request)) return;
      const start = startTimes.get(request) ?? performance.now();
      emitRequestEvent(emitter, options, type, request, {
        method: request.method,
        route: request.routeOptions.url ?? request.url.split('?')[0] ?? request.url,
        status: reply.statusCode,
        durationMs: Math.round((performance.now() - start) * 1000) / 1000,
      });
    });
  },
  {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'samsa-emit',
  },
);
