/**
 * The schema registry's Prometheus metrics at `GET /metrics`, named after Confluent Schema
 * Registry's JMX metrics as the JMX exporter writes them: HTTP requests by method and status,
 * subjects, registered schemas by type, and whether this instance is the primary. Counts are read
 * from the in-memory registry when Prometheus scrapes.
 */
import type { FastifyInstance } from 'fastify';
import { addMetricsRoute, countRequests } from '../../metrics/fastify.ts';
import { callbackGauge, createRegistry, type Sample } from '../../metrics/registry.ts';
import type { SchemaRegistry } from '../registry.ts';

export function installRegistryMetrics(
  app: FastifyInstance,
  registry: SchemaRegistry,
  isLeader: () => boolean,
): void {
  const metrics = createRegistry();
  countRequests(app, metrics, 'kafka_schema_registry');
  addMetricsRoute(app, metrics);
  callbackGauge({
    registry: metrics,
    name: 'kafka_schema_registry_subjects',
    help: 'Subjects with at least one live version',
    collect: () => registry.subjects().length,
  });
  callbackGauge({
    registry: metrics,
    name: 'kafka_schema_registry_registered_count',
    help: 'Schema versions registered (not deleted), per schema type',
    labelNames: ['schema_type'],
    collect: () => {
      const counts = new Map<string, number>();
      for (const s of registry.allSchemas({})) {
        const type = s.schemaType;
        counts.set(type, (counts.get(type) ?? 0) + 1);
      }
      return [...counts].map(([schema_type, n]): Sample => [{ schema_type }, n]);
    },
  });
  callbackGauge({
    registry: metrics,
    name: 'kafka_schema_registry_master_slave_role',
    help: '1 when this instance is the primary (accepts writes), else 0',
    collect: () => (isLeader() ? 1 : 0),
  });
}
