/**
 * `samsa console`: runs the web console (docs/console.md) against any Kafka cluster until
 * SIGINT/SIGTERM, with the Connect worker's and the schema registry's REST APIs when their URLs are
 * given. Prints `Console on URL` once it accepts requests.
 */
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

export const consoleCommand = defineCommand({
  name: 'console',
  summary: 'run the web console (topics, messages, groups, connectors, schemas) in the foreground',
  description:
    'Serves the web console on HTTP. It speaks only the Kafka protocol and the REST APIs of Connect and ' +
    'the schema registry, so it runs against any Kafka cluster. With --authentication basic the browser ' +
    'asks for the name and password of a Kafka SCRAM user and the console acts as that user (ACLs apply).',
  options: [
    ...listenOptions(8080),
    { name: 'connect-url', type: 'string', placeholder: 'URL', description: "a Connect worker's REST API" },
    { name: 'registry-url', type: 'string', placeholder: 'URL', description: 'the schema registry' },
    {
      name: 'metrics-url',
      type: 'string',
      placeholder: 'URL',
      description: "the broker's Prometheus endpoint (http://host:9644/metrics), for throughput charts",
    },
    ...httpAuthenticationOptions('log in as a Kafka SCRAM user'),
  ],
  examples: [
    'samsa console --bootstrap-server 127.0.0.1:9092',
    'samsa console -b kafka:9092 --connect-url http://127.0.0.1:8083 --registry-url http://127.0.0.1:8081',
    'samsa console -b kafka:9092 --port 18080 --authentication basic',
  ],
  async run(ctx) {
    const connection = serviceConnection(ctx);
    const port = servicePort(ctx, 8080);
    const { authentication, saslMechanism } = httpAuthentication(ctx);
    const urlOption = (name: string): string | undefined => {
      const value = ctx.string(name);
      if (value !== undefined && !/^https?:\/\/[^/]+/.test(value))
        throw new UsageError(`--${name} must be an http:// or https:// URL, got "${value}"`);
      return value;
    };
    const connectUrl = urlOption('connect-url');
    const registryUrl = urlOption('registry-url');
    const metricsUrl = urlOption('metrics-url');
    const { startConsole } = await import('../../console/server/index.ts');
    const running = await startConsole({
      connection,
      host: ctx.string('host') ?? '127.0.0.1',
      port,
      authentication,
      saslMechanism,
      ...(connectUrl !== undefined ? { connectUrl } : {}),
      ...(registryUrl !== undefined ? { registryUrl } : {}),
      ...(metricsUrl !== undefined ? { metricsUrl } : {}),
    });
    return runUntilSignal(
      ctx,
      `Console on ${running.url} (Kafka at ${connection.bootstrapBrokers.join(',')})`,
      running,
    );
  },
});
