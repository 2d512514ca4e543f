/**
 * The options every platform command shares: where the cluster is (`--bootstrap`, or KAFKA_URL),
 * SASL credentials, `--json` and `--help`, and how they become client connection options.
 */
import { type ConnectionInput, SASL_MECHANISMS } from '../client/connection-options.ts';
import type { OptionSpec, ParsedArgs } from './args.ts';

export const CONNECTION_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'bootstrap',
    short: 'b',
    type: 'string',
    placeholder: 'HOST:PORT[,..]',
    description:
      'brokers to connect to (default: KAFKA_URL, else 127.0.0.1:9092); kafka+ssl://HOST:PORT for TLS',
  },
  {
    name: 'sasl-mechanism',
    type: 'string',
    placeholder: 'MECHANISM',
    description: `SASL mechanism: ${SASL_MECHANISMS.join(', ')} (default PLAIN; env KAFKA_SASL_MECHANISM)`,
  },
  {
    name: 'sasl-username',
    type: 'string',
    placeholder: 'USER',
    description: 'SASL user (env KAFKA_SASL_USERNAME)',
  },
  {
    name: 'sasl-password',
    type: 'string',
    placeholder: 'PASSWORD',
    description: 'SASL password (prefer env KAFKA_SASL_PASSWORD: flags show in ps)',
  },
  {
    name: 'tls-skip-hostname-check',
    type: 'boolean',
    description: 'verify the TLS chain but not the host name (env KAFKA_TLS_SKIP_HOSTNAME_CHECK=1)',
  },
];

export const OUTPUT_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'print JSON instead of tables' },
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

function text(options: ParsedArgs['options'], name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

/** The connection input given by flags (the environment fills in the rest). */
export function connectionInput(options: ParsedArgs['options'], env: NodeJS.ProcessEnv): ConnectionInput {
  const input: ConnectionInput = {};
  const bootstrap = text(options, 'bootstrap');
  if (bootstrap !== undefined) input.bootstrap = bootstrap;
  const mechanism = text(options, 'sasl-mechanism');
  if (mechanism !== undefined) input.saslMechanism = mechanism;
  const username = text(options, 'sasl-username');
  if (username !== undefined) input.saslUsername = username;
  const password = text(options, 'sasl-password');
  if (password !== undefined) input.saslPassword = password;
  const skip = options['tls-skip-hostname-check'];
  input.skipHostnameCheck =
    skip === true ||
    (skip === undefined && ['1', 'true', 'yes'].includes(env.KAFKA_TLS_SKIP_HOSTNAME_CHECK ?? ''));
  return input;
}
