/**
 * The HTTP proxy: Confluent REST Proxy's API v2 (topics, produce with json/binary, consumer
 * instances) and v3 (clusters, topics, records with streaming) over any Kafka cluster.
 * See docs/proxy.md.
 */
export type { ProxyLimits } from './context.ts';
export { RestError } from './errors.ts';
export { buildProxy, DEFAULT_LIMITS, type ProxyOptions, type RunningProxy, startProxy } from './server.ts';
