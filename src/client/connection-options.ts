/**
 * Where and how platform tools connect: turns `--bootstrap` / `KAFKA_URL` (comma-separated
 * `host:port`, `kafka://host:port` or `kafka+ssl://host:port`), the PEM variables managed platforms
 * hand out (`KAFKA_TRUSTED_CERT`, `KAFKA_CLIENT_CERT`, `KAFKA_CLIENT_CERT_KEY`) and SASL settings into
 * the connection part of a Kafka client's options. Pure: no I/O, every input is passed in.
 */
import { isIP } from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { SASLOptions } from '@platformatic/kafka';

/** A problem with the user's connection settings (a usage error, not a broker failure). */
export class ConnectionConfigError extends Error {
  override readonly name = 'ConnectionConfigError';
}

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface ConnectionInput {
  /** `--bootstrap`; wins over KAFKA_URL. */
  bootstrap?: string;
  saslMechanism?: string;
  saslUsername?: string;
  saslPassword?: string;
  /** Verify the certificate chain but not that it names the host (some managed clusters need this). */
  skipHostnameCheck?: boolean;
}

/** The connection part of @platformatic/kafka client options. */
export interface KafkaConnectionOptions {
  bootstrapBrokers: string[];
  tls?: TlsOptions;
  /** Send SNI with each broker's host name (only when the brokers are named, not IPs). */
  tlsServerName?: boolean;
  sasl?: SASLOptions;
}

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

interface Endpoint {
  host: string;
  address: string;
  tls: boolean;
}

function parseEndpoint(raw: string, source: string): Endpoint {
  const entry = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(entry);
  let tls = false;
  let rest = entry;
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (name === 'kafka+ssl' || name === 'kafka+tls') tls = true;
    else if (name !== 'kafka') {
      throw new ConnectionConfigError(
        `${source}: unsupported scheme "${scheme[1]}://" in "${entry}" (use kafka:// or kafka+ssl://)`,
      );
    }
    rest = entry.slice(scheme[0].length).replace(/\/+$/, '');
  }
  if (rest.includes('@')) {
    throw new ConnectionConfigError(
      `${source}: credentials in "${entry}" are not supported; use --sasl-username/--sasl-password or KAFKA_SASL_*`,
    );
  }
  const match = /^(\[[0-9a-f:.]+\]|[^:/[\]\s]+)(?::(\d+))?$/i.exec(rest);
  if (!match) throw new ConnectionConfigError(`${source}: "${entry}" is not host:port`);
  const port = match[2] === undefined ? 9092 : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConnectionConfigError(`${source}: port ${match[2]} in "${entry}" is out of range`);
  }
  return { host: match[1]!, address: `${match[1]}:${port}`, tls };
}

function parseBootstrap(list: string, source: string): Endpoint[] {
  const entries = list.split(',').filter((e) => e.trim() !== '');
  if (entries.length === 0) throw new ConnectionConfigError(`${source} is empty`);
  return entries.map((e) => parseEndpoint(e, source));
}

/** Managed platforms store PEM in env vars; some escape the newlines. */
function pem(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.includes('\\n') && !value.includes('\n') ? value.replaceAll('\\n', '\n') : value;
}

function tlsOptions(env: NodeJS.ProcessEnv, skipHostnameCheck: boolean): TlsOptions {
  const ca = pem(env.KAFKA_TRUSTED_CERT);
  const cert = pem(env.KAFKA_CLIENT_CERT);
  const key = pem(env.KAFKA_CLIENT_CERT_KEY);
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConnectionConfigError('KAFKA_CLIENT_CERT and KAFKA_CLIENT_CERT_KEY must be set together');
  }
  const options: TlsOptions = { rejectUnauthorized: true };
  if (ca !== undefined) options.ca = ca;
  if (cert !== undefined && key !== undefined) {
    options.cert = cert;
    options.key = key;
  }
  if (skipHostnameCheck) options.checkServerIdentity = () => undefined;
  return options;
}

function saslOptions(input: ConnectionInput, env: NodeJS.ProcessEnv): SASLOptions | undefined {
  const username = input.saslUsername ?? env.KAFKA_SASL_USERNAME;
  const password = input.saslPassword ?? env.KAFKA_SASL_PASSWORD;
  const mechanismRaw = input.saslMechanism ?? env.KAFKA_SASL_MECHANISM;
  if (username === undefined && password === undefined) {
    if (mechanismRaw !== undefined) {
      throw new ConnectionConfigError(`SASL mechanism ${mechanismRaw} needs a username and password`);
    }
    return undefined;
  }
  if (username === undefined || password === undefined) {
    throw new ConnectionConfigError('SASL needs both a username and a password');
  }
  const mechanism = (mechanismRaw ?? 'PLAIN').toUpperCase();
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new ConnectionConfigError(
      `unsupported SASL mechanism "${mechanismRaw}" (use ${SASL_MECHANISMS.join(', ')})`,
    );
  }
  return { mechanism: mechanism as SaslMechanism, username, password };
}

/** Builds the connection options from explicit input and the environment. */
export function connectionOptions(input: ConnectionInput, env: NodeJS.ProcessEnv): KafkaConnectionOptions {
  const source = input.bootstrap !== undefined ? '--bootstrap' : env.KAFKA_URL ? 'KAFKA_URL' : undefined;
  const endpoints = parseBootstrap(
    input.bootstrap ?? (env.KAFKA_URL || DEFAULT_BOOTSTRAP),
    source ?? 'bootstrap',
  );
  const secure = endpoints.filter((e) => e.tls).length;
  if (secure !== 0 && secure !== endpoints.length) {
    throw new ConnectionConfigError(`${source}: mixes kafka:// and kafka+ssl:// brokers`);
  }
  const options: KafkaConnectionOptions = { bootstrapBrokers: endpoints.map((e) => e.address) };
  if (secure > 0) {
    options.tls = tlsOptions(env, input.skipHostnameCheck ?? false);
    if (endpoints.every((e) => isIP(e.host) === 0 && !e.host.startsWith('['))) options.tlsServerName = true;
  }
  const sasl = saslOptions(input, env);
  if (sasl) options.sasl = sasl;
  return options;
}
