/**
 * Connections to the source database: client options from the connector config (with the session
 * settings every text value is parsed under), and PostgreSQL errors turned into messages that say
 * what to fix (wrong credentials, unreachable server, wal_level, missing slot or publication).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { ConnectError, RetriableError } from '../../connect/api/index.ts';
import type { CdcConfig } from './config.ts';

/** Session settings that fix the text format of values (see types.ts). */
export const SESSION_OPTIONS =
  '-c DateStyle=ISO -c IntervalStyle=postgres -c TimeZone=UTC -c extra_float_digits=3 -c bytea_output=hex -c client_encoding=UTF8';

export function clientConfig(config: CdcConfig, replication = false): pg.ClientConfig {
  const ssl =
    config.sslmode === 'disable' || config.sslmode === 'allow'
      ? false
      : config.sslmode === 'prefer' || config.sslmode === 'require'
        ? config.sslmode === 'require'
          ? { rejectUnauthorized: false }
          : false
        : {
            rejectUnauthorized: true,
            ...(config.sslrootcert ? { ca: readFileSync(config.sslrootcert, 'utf8') } : {}),
            ...(config.sslmode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
          };
  return {
    host: config.hostname,
    port: config.port,
    user: config.user,
    password: config.password ?? undefined,
    database: config.dbname,
    ssl,
    options: SESSION_OPTIONS,
    connectionTimeoutMillis: 10_000,
    application_name: 'samsa-cdc',
    ...(replication ? { replication: 'database' } : {}),
  } as pg.ClientConfig;
}

/** A connected client; connection errors become ConnectError/RetriableError with a clear message. */
export async function connect(config: CdcConfig, replication = false): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(config, replication));
  // An idle client whose server goes away emits 'error'; the next query reports it instead.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw describeError(err, config);
  }
  return client;
}

interface PgError extends Error {
  code?: string;
  errno?: number;
}

/** Codes that mean "try again later" rather than "fix the configuration". */
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

export function isTransient(err: unknown): boolean {
  const e = err as PgError;
  if (e instanceof RetriableError) return true;
  if (e?.code && TRANSIENT.has(e.code)) return true;
  return /Connection terminated|connection timeout|timeout expired/i.test(e?.message ?? '');
}

/** A PostgreSQL or socket error as the error the task should raise. */
export function describeError(err: unknown, config: CdcConfig, context = ''): Error {
  if (err instanceof ConnectError || err instanceof RetriableError) return err;
  const e = err as PgError;
  const where = `${config.user}@${config.hostname}:${config.port}/${config.dbname}`;
  const prefix = context ? `${context}: ` : '';
  switch (e?.code) {
    case '28P01':
    case '28000':
      return new ConnectError(
        `${prefix}authentication failed for ${where}: ${e.message} (check database.user and database.password, and that pg_hba.conf allows replication connections)`,
      );
    case '3D000':
      return new ConnectError(
        `${prefix}database "${config.dbname}" does not exist on ${config.hostname}:${config.port}`,
      );
    case '42501':
      return new ConnectError(
        `${prefix}permission denied for ${config.user}: ${e.message} (the user needs the REPLICATION attribute and SELECT on the captured tables)`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectError(`${prefix}cannot resolve database.hostname "${config.hostname}"`);
  }
  if (isTransient(err)) {
    return new RetriableError(
      `${prefix}cannot reach PostgreSQL at ${config.hostname}:${config.port}: ${e?.message ?? String(err)}`,
    );
  }
  return new ConnectError(`${prefix}${e?.message ?? String(err)}`);
}
