/**
 * `GET /metrics` on a service's own fastify server (Connect worker, registry, proxy): the text
 * format of the given registry.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { METRICS_CONTENT_TYPE } from './registry.ts';

export function addMetricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', async (_req, reply) => {
    const text = await registry.metrics();
    return reply.header('content-type', METRICS_CONTENT_TYPE).send(text);
  });
}
