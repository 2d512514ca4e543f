/**
 * `samsa registry`: runs a Confluent-compatible schema registry against any Kafka cluster (its
 * state lives in the compacted `_schemas` topic) until SIGINT/SIGTERM. Several instances against
 * one cluster elect a primary through the `schema-registry` group; followers forward writes.
 */
import { COMPATIBILITY_LEVELS, parseCompatibilityLevel } from '../../registry/compatibility.ts';
import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { listenOptions, runUntilSignal, serviceConnection, servicePort } from '../http-service.ts';

export const registryCommand = defineCommand({
  name: 'registry',
  summary: 'run a Confluent-compatible schema registry',
  description: [
    "Serves Confluent Schema Registry's REST API (Avro, JSON Schema, Protobuf) over HTTP, storing",
    'schemas in the compacted _schemas topic of the cluster. Runs until Ctrl-C. Start several against',
    'one cluster for availability: they elect a primary that takes the writes.',
  ].join('\n'),
  options: [
    ...listenOptions(8081),
    {
      name: 'advertised-host',
      type: 'string',
      placeholder: 'HOST',
      description: 'host the other instances forward writes to (default: --host)',
    },
    { name: 'topic', type: 'string', placeholder: 'TOPIC', description: 'schemas topic (default _schemas)' },
    {
      name: 'group-id',
      type: 'string',
      placeholder: 'GROUP',
      description: 'election group (default schema-registry)',
    },
    {
      name: 'compatibility',
      type: 'string',
      placeholder: 'LEVEL',
      description: `default compatibility level: ${COMPATIBILITY_LEVELS.join(', ')} (default BACKWARD)`,
    },
    {
      name: 'leader-eligible',
      type: 'boolean',
      description: 'may become the primary (default; --no-leader-eligible: only ever a follower)',
    },
  ],
  examples: [
    'samsa registry --bootstrap-server 127.0.0.1:9092',
    'samsa registry --bootstrap-server kafka-1:9092,kafka-2:9092 --host 0.0.0.0 --advertised-host registry-1',
    'samsa registry --port 18081 --compatibility full_transitive',
  ],
  async run(ctx) {
    const connection = serviceConnection(ctx);
    const compatibilityText = ctx.string('compatibility');
    const compatibility =
      compatibilityText === undefined ? undefined : parseCompatibilityLevel(compatibilityText);
    if (compatibility === null)
      throw new UsageError(`--compatibility must be one of ${COMPATIBILITY_LEVELS.join(', ')}`);
    const port = servicePort(ctx, 8081);
    const host = ctx.string('host') ?? '127.0.0.1';
    const advertisedHost = ctx.string('advertised-host');
    const topic = ctx.string('topic');
    const groupId = ctx.string('group-id');
    // Loaded here, not at the top: every `samsa` command imports this file.
    const { startRegistry } = await import('../../registry/server/registry-server.ts');
    const registry = await startRegistry({
      connection,
      host,
      port,
      ...(advertisedHost ? { advertisedHost } : {}),
      ...(topic ? { topic } : {}),
      ...(groupId ? { groupId } : {}),
      ...(compatibility ? { defaultCompatibility: compatibility } : {}),
      leaderEligible: ctx.options['leader-eligible'] !== false,
    });
    return runUntilSignal(
      ctx,
      `Schema registry listening on ${registry.url} (Kafka ${connection.bootstrapBrokers.join(',')})`,
      registry,
    );
  },
});
