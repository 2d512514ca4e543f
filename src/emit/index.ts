/**
 * `samsa/emit`: emit CloudEvents from an application without waiting for the broker.
 *
 *   import { createEmitter, expressMiddleware } from 'samsa/emit';
 *   const emitter = createEmitter({ bootstrap: 'localhost:9092', topic: 'interactions' });
 *   emitter.emit('item.viewed', { itemId: 42 }, { key: userId });   // returns at once
 *   app.use(expressMiddleware(emitter, { user: (req) => req.user?.id }));
 *   await emitter.close();
 *
 * See docs/emit.md for the design, the options and the failure policies.
 */
export {
  type ContentMode,
  type EmitOptions,
  EmitUsageError,
  SPEC_VERSION,
  STRUCTURED_CONTENT_TYPE,
} from './cloudevent.ts';
export type { EmitLogger } from './drop-log.ts';
export {
  type CloseResult,
  type Compression,
  createEmitter,
  type Emitter,
  type EmitterOptions,
  type OverflowPolicy,
} from './emitter.ts';
export { type ExpressLikeRequest, type ExpressMiddleware, expressMiddleware } from './express.ts';
export { type FastifyEmitOptions, fastifyPlugin } from './fastify.ts';
export { type DropReason, type EmitterMetrics, LATENCY_BUCKETS_MS } from './metrics.ts';
export { registerEmitterMetrics } from './prometheus.ts';
export type { EmitFunction, RequestEventData, RequestEventOptions } from './request-event.ts';
