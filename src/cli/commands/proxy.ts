/**
 * `samsa proxy`: runs the HTTP proxy (Confluent REST Proxy API v2 and v3, docs/proxy.md) against
 * any Kafka cluster until SIGINT/SIGTERM. Prints `Samsa proxy listening on URL` once it accepts
 * requests.
 */
import { readFileSync } from 'node:fs';
import { connectionOptions } from '../../client/connection-options.ts';
import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { connectionInput } from '../connection-flags.ts';

export const proxyCommand = defineCommand({
  name: 'proxy',
  summary: 'run the HTTP proxy (Confluent REST Proxy API) in the foreground',
  description:
    'Serves Confluent REST Proxy API v2 (topics, produce, consumer instances) and v3 (clusters, topics, ' +
    'records with streaming) on HTTP, speaking Kafka to the cluster. With --authentication basic every ' +
    'request needs the credentials of a Kafka SCRAM user, and the proxy acts as that user (ACLs apply).',
  options: [
    {
      name: 'bootstrap-server',
      type: 'string',
      placeholder: 'HOST:PORT',
      description: 'the Kafka cluster (same as --bootstrap)',
    },
    {
      name: 'host',
      type: 'string',
      placeholder: 'ADDRESS',
      description: 'address to listen on (default 127.0.0.1)',
    },
    { name: 'port', type: 'string', placeholder: 'N', description: 'port to listen on (default 8082)' },
    {
      name: 'registry-url',
      type: 'string',
      placeholder: 'URL',
      description: 'schema registry, for the avro, jsonschema and protobuf formats',
    },
    {
      name: 'authentication',
      type: 'string',
      placeholder: 'none|basic',
      description: 'HTTP authentication (default none)',
    },
    {
      name: 'authentication-mechanism',
      type: 'string',
      placeholder: 'MECHANISM',
      description:
        'SASL mechanism the proxy uses as the HTTP user: SCRAM-SHA-256 (default), SCRAM-SHA-512, PLAIN',
    },
    {
      name: 'tls-cert',
      type: 'string',
      placeholder: 'FILE',
      description: 'PEM certificate (chain): serve HTTPS',
    },
    { name: 'tls-key', type: 'string', placeholder: 'FILE', description: 'PEM private key for --tls-cert' },
    {
      name: 'tls-ca',
      type: 'string',
      placeholder: 'FILE',
      description: 'PEM CA bundle: ask clients for certificates it signs',
    },
    {
      name: 'max-request-bytes',
      type: 'string',
      placeholder: 'N',
      description: 'largest request body (default 33554432)',
    },
  ],
  examples: [
    'samsa proxy --bootstrap-server 127.0.0.1:9092',
    'samsa proxy --bootstrap-server kafka:9092 --port 18082 --authentication basic',
    'samsa proxy -b kafka:9092 --registry-url http://127.0.0.1:8081',
  ],
  async run(ctx) {
    const server = ctx.string('bootstrap-server');
    const connection =
      server === undefined
        ? ctx.connection
        : connectionOptions({ ...connectionInput(ctx.options, ctx.env), bootstrap: server }, ctx.env);
    const port = ctx.integer('port', 0) ?? 8082;
    const authentication = ctx.string('authentication') ?? 'none';
    if (authentication !== 'none' && authentication !== 'basic') {
      throw new UsageError(`--authentication must be none or basic, got "${authentication}"`);
    }
    const mechanism = (ctx.string('authentication-mechanism') ?? 'SCRAM-SHA-256').toUpperCase();
    if (!['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'].includes(mechanism)) {
      throw new UsageError(
        `--authentication-mechanism must be SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN, got "${mechanism}"`,
      );
    }
    const certFile = ctx.string('tls-cert');
    const keyFile = ctx.string('tls-key');
    if ((certFile === undefined) !== (keyFile === undefined))
      throw new UsageError('--tls-cert and --tls-key go together');
    const caFile = ctx.string('tls-ca');
    const maxRequestBytes = ctx.integer('max-request-bytes', 1);
    const registryUrl = ctx.string('registry-url');
    const { startProxy } = await import('../../proxy/index.ts');
    const proxy = await startProxy({
      connection,
      host: ctx.string('host') ?? '127.0.0.1',
      port,
      authentication,
      saslMechanism: mechanism as 'SCRAM-SHA-256',
      ...(registryUrl !== undefined ? { registryUrl } : {}),
      ...(certFile !== undefined && keyFile !== undefined
        ? {
            tls: {
              cert: readFileSync(certFile, 'utf8'),
              key: readFileSync(keyFile, 'utf8'),
              ...(caFile !== undefined ? { ca: readFileSync(caFile, 'utf8') } : {}),
            },
          }
        : {}),
      ...(maxRequestBytes !== undefined ? { limits: { maxRequestBytes } } : {}),
    });
    const stopped = new Promise<void>((resolve) => {
      const onSignal = (): void => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        proxy.stop().then(resolve, resolve);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    ctx.out(`Samsa proxy listening on ${proxy.url} (Kafka at ${connection.bootstrapBrokers.join(',')})`);
    await stopped;
    return 0;
  },
});
