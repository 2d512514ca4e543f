/**
 * `samsa proxy`: runs the HTTP proxy (Confluent REST Proxy API v2 and v3, docs/proxy.md) against
 * any Kafka cluster until SIGINT/SIGTERM. Prints `Samsa proxy listening on URL` once it accepts
 * requests.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import {
  httpAuthentication,
  httpAuthenticationOptions,
  listenOptions,
  runUntilSignal,
  serviceConnection,
  servicePort,
} from '../http-service.ts';

export const proxyCommand = defineCommand({
  name: 'proxy',
  summary: 'run the HTTP proxy (Confluent REST Proxy API) in the foreground',
  description:
    'Serves Confluent REST Proxy API v2 (topics, produce, consumer instances) and v3 (clusters, topics, ' +
    'records with streaming) on HTTP, speaking Kafka to the cluster. With --authentication basic every ' +
    'request needs the credentials of a Kafka SCRAM user, and the proxy acts as that user (ACLs apply).',
  options: [
    ...listenOptions(8082),
    {
      name: 'registry-url',
      type: 'string',
      placeholder: 'URL',
      description: 'schema registry, for the avro, jsonschema and protobuf formats',
    },
    ...httpAuthenticationOptions('log in as a Kafka SCRAM user; the proxy acts as that user'),
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
    const connection = serviceConnection(ctx);
    const port = servicePort(ctx, 8082);
    const { authentication, saslMechanism } = httpAuthentication(ctx);
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
      saslMechanism,
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
    return runUntilSignal(
      ctx,
      `Samsa proxy listening on ${proxy.url} (Kafka at ${connection.bootstrapBrokers.join(',')})`,
      proxy,
    );
  },
});
