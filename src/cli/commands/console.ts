/**
 * `samsa console`: runs the web console (docs/console.md) against any Kafka cluster until
 * SIGINT/SIGTERM, with the Connect worker's and the schema registry's REST APIs when their URLs are
 * given. Prints `Console on URL` once it accepts requests.
 */
import { connectionOptions } from '../../client/connection-options.ts';
import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { connectionInput } from '../connection-flags.ts';

export const consoleCommand = defineCommand({
  name: 'console',
  summary: 'run the web console (topics, messages, groups, connectors, schemas) in the foreground',
  description:
    'Serves the web console on HTTP. It speaks only the Kafka protocol and the REST APIs of Connect and ' +
    'the schema registry, so it runs against any Kafka cluster. With --authentication basic the browser ' +
    'asks for the name and password of a Kafka SCRAM user and the console acts as that user (ACLs apply).',
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
    { name: 'port', type: 'string', placeholder: 'N', description: 'port to listen on (default 8080)' },
    { name: 'connect-url', type: 'string', placeholder: 'URL', description: "a Connect worker's REST API" },
    { name: 'registry-url', type: 'string', placeholder: 'URL', description: 'the schema registry' },
    {
      name: 'metrics-url',
      type: 'string',
      placeholder: 'URL',
      description: "the broker's Prometheus endpoint (http://host:9644/metrics), for throughput charts",
    },
    {
      name: 'authentication',
      type: 'string',
      placeholder: 'none|basic',
      description: 'HTTP authentication (default none; basic: log in as a Kafka SCRAM user)',
    },
    {
      name: 'authentication-mechanism',
      type: 'string',
      placeholder: 'MECHANISM',
      description: 'SASL mechanism used as the logged-in user: SCRAM-SHA-256 (default), SCRAM-SHA-512, PLAIN',
    },
  ],
  examples: [
    'samsa console --bootstrap-server 127.0.0.1:9092',
    'samsa console -b kafka:9092 --connect-url http://127.0.0.1:8083 --registry-url http://127.0.0.1:8081',
    'samsa console -b kafka:9092 --port 18080 --authentication basic',
  ],
  async run(ctx) {
    const server = ctx.string('bootstrap-server');
    const connection =
      server === undefined
        ? ctx.connection
        : connectionOptions({ ...connectionInput(ctx.options, ctx.env), bootstrap: server }, ctx.env);
    const port = ctx.integer('port', 0) ?? 8080;
    const authentication = ctx.string('authentication') ?? 'none';
    if (authentication !== 'none' && authentication !== 'basic')
      throw new UsageError(`--authentication must be none or basic, got "${authentication}"`);
    const mechanism = (ctx.string('authentication-mechanism') ?? 'SCRAM-SHA-256').toUpperCase();
    if (!['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'].includes(mechanism)) {
      throw new UsageError(
        `--authentication-mechanism must be SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN, got "${mechanism}"`,
      );
    }
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
      saslMechanism: mechanism as 'SCRAM-SHA-256',
      ...(connectUrl !== undefined ? { connectUrl } : {}),
      ...(registryUrl !== undefined ? { registryUrl } : {}),
      ...(metricsUrl !== undefined ? { metricsUrl } : {}),
    });
    const stopped = new Promise<void>((resolve) => {
      const onSignal = (): void => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        running.stop().then(resolve, resolve);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    ctx.out(`Console on ${running.url} (Kafka at ${connection.bootstrapBrokers.join(',')})`);
    await stopped;
    return 0;
  },
});
