/**
 * Prometheus on a service's own fastify server (Connect worker, registry, proxy): `GET /metrics`
 * answers the registry's text format, and `countRequests` adds `<prefix>_requests_total{method,
 * status}` counted in an onResponse hook (a map keyed by method and status, no label hashing).
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { callbackCounter, METRICS_CONTENT_TYPE, type Sample } from './registry.ts';

export function addMetricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', async (_req, reply) => {
    const text = await registry.metrics();
    return reply.header('content-type', METRICS_CONTENT_TYPE).send(text);
  });
}

/** Counts every HTTP request answered (scrapes of /metrics included) by method and status code. */
export function countRequests(app: FastifyInstance, registry: Registry, prefix: string): void {
  const counts = new Map<string, { method: string; status: number; n: number }>();
  app.addHook('onResponse', async (request, reply) => {
    const key = `${request.method} ${reply.statusCode}`;
    const entry = counts.get(key);
    if (entry) entry.n++;
    else counts.set(key, { method: request.method, status: reply.statusCode, n: 1 });
  });
  callbackCounter({
    registry,
    name: `${prefix}_requests_total`,
    help: 'HTTP requests answered, per method and status code',
    labelNames: ['method', 'status'],
    collect: () => [...counts.values()].map((e): Sample => [{ method: e.method, status: e.status }, e.n]),
  });
}
