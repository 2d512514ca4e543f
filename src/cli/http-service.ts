/**
 * What the long-running HTTP service commands (`samsa proxy`, `samsa registry`, `samsa console`)
 * share: the `--bootstrap-server`/`--host`/`--port` options, the connection they resolve to, the
 * HTTP authentication options of the services that log in as a Kafka user, and running until
 * SIGINT/SIGTERM with a clean stop.
 */
import { connectionOptions, type KafkaConnectionOptions } from '../client/connection-options.ts';
import { type OptionSpec, UsageError } from './args.ts';
import type { CommandContext } from './command.ts';
import { connectionInput } from './connection-flags.ts';

/** `--bootstrap-server`, `--host` and `--port` (with the service's default port). */
export function listenOptions(defaultPort: number): OptionSpec[] {
  return [
    {
      name: 'bootstrap-server',
      type: 'string',
      placeholder: 'HOST:PORT[,..]',
      description: 'the Kafka cluster (same as --bootstrap)',
    },
    {
      name: 'host',
      type: 'string',
      placeholder: 'ADDRESS',
      description: 'address to listen on (default 127.0.0.1)',
    },
    {
      name: 'port',
      type: 'string',
      placeholder: 'N',
      description: `port to listen on (default ${defaultPort}; 0: any free port)`,
    },
  ];
}

/** `--authentication none|basic` and the SASL mechanism used as the logged-in user. */
export function httpAuthenticationOptions(basicMeans: string): OptionSpec[] {
  return [
    {
      name: 'authentication',
      type: 'string',
      placeholder: 'none|basic',
      description: `HTTP authentication (default none; basic: ${basicMeans})`,
    },
    {
      name: 'authentication-mechanism',
      type: 'string',
      placeholder: 'MECHANISM',
      description: 'SASL mechanism used as the logged-in user: SCRAM-SHA-256 (default), SCRAM-SHA-512, PLAIN',
    },
  ];
}

/** The cluster: `--bootstrap-server` when given, else the usual connection options. */
export function serviceConnection(ctx: CommandContext): KafkaConnectionOptions {
  const server = ctx.string('bootstrap-server');
  return server === undefined
    ? ctx.connection
    : connectionOptions({ ...connectionInput(ctx.options, ctx.env), bootstrap: server }, ctx.env);
}

/** The port to listen on (0 to 65535; the default when not given). */
export function servicePort(ctx: CommandContext, defaultPort: number): number {
  const port = ctx.integer('port', 0) ?? defaultPort;
  if (port > 65535) throw new UsageError('--port must be at most 65535');
  return port;
}

export function httpAuthentication(ctx: CommandContext): {
  authentication: 'none' | 'basic';
  saslMechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'PLAIN';
} {
  const authentication = ctx.string('authentication') ?? 'none';
  if (authentication !== 'none' && authentication !== 'basic')
    throw new UsageError(`--authentication must be none or basic, got "${authentication}"`);
  const mechanism = (ctx.string('authentication-mechanism') ?? 'SCRAM-SHA-256').toUpperCase();
  if (mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512' && mechanism !== 'PLAIN') {
    throw new UsageError(
      `--authentication-mechanism must be SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN, got "${mechanism}"`,
    );
  }
  return { authentication, saslMechanism: mechanism };
}

/** Prints the service's line, then runs until SIGINT/SIGTERM and stops it. */
export async function runUntilSignal(
  ctx: CommandContext,
  line: string,
  service: { stop(): Promise<void> },
): Promise<number> {
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      service.stop().then(resolve, resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  ctx.out(line);
  await stopped;
  return 0;
}
