/**
 * `samsa registry`: runs a Confluent-compatible schema registry against any Kafka cluster (its
 * state lives in the compacted `_schemas` topic) until SIGINT/SIGTERM. Several instances against
 * one cluster elect a primary through the `schema-registry` group; followers forward writes.
 */
import { connectionOptions } from '../../client/connection-options.ts';
import { COMPATIBILITY_LEVELS, parseCompatibilityLevel } from '../../registry/compatibility.ts';
import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { connectionInput } from '../connection-flags.ts';

export const registryCommand = defineCommand({
  name: 'registry',
  summary: 'run a Confluent-compatible schema registry',
  description: [
    "Serves Confluent Schema Registry's REST API (Avro, JSON Schema, Protobuf) over HTTP, storing",
    'schemas in the compacted _schemas topic of the cluster. Runs until Ctrl-C. Start several against',
    'one cluster for availability: they elect a primary that takes the writes.',
  ].join('\n'),
  options: [
    {
      name: 'bootstrap-server',
      type: 'string',
      placeholder: 'HOST:PORT[,..]',
      description: 'brokers to connect to (same as --bootstrap)',
    },
    {
      name: 'host',
      type: 'string',
      placeholder: 'HOST',
      description: 'address to listen on (default 127.0.0.1)',
    },
    {
      name: 'port',
      type: 'string',
      placeholder: 'PORT',
      description: 'port to listen on (default 8081; 0: any free port)',
    },
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
    const server = ctx.string('bootstrap-server');
    const connection =
      server === undefined
        ? ctx.connection
        : connectionOptions({ ...connectionInput(ctx.options, ctx.env), bootstrap: server }, ctx.env);
    const compatibilityText = ctx.string('compatibility');
    const compatibility =
      compatibilityText === undefined ? undefined : parseCompatibilityLevel(compatibilityText);
    if (compatibility === null)
      throw new UsageError(`--compatibility must be one of ${COMPATIBILITY_LEVELS.join(', ')}`);
    const port = ctx.integer('port', 0) ?? 8081;
    if (port > 65535) throw new UsageError('--port must be at most 65535');
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
    const stopped = new Promise<void>((resolve) => {
      const onSignal = (): void => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        registry.stop().then(resolve, resolve);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    ctx.out(`Schema registry listening on ${registry.url} (Kafka ${connection.bootstrapBrokers.join(',')})`);
    await stopped;
    return 0;
  },
});
