/**
 * The shared Prometheus pieces: a registry with Node's process metrics, scrape-time gauges and
 * counters, a cheap hot-path histogram, and the `/metrics` endpoint (standalone or on fastify).
 * Names and labels of every service's metrics are listed in docs/metrics.md.
 */
export { addMetricsRoute, countRequests } from './fastify.ts';
export { FastHistogram } from './histogram.ts';
export { type MetricsServer, serveMetrics } from './http-server.ts';
export {
  callbackCounter,
  callbackGauge,
  callbackHistogram,
  createRegistry,
  METRICS_CONTENT_TYPE,
  Registry,
  type Sample,
} from './registry.ts';
