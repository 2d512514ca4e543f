/**
 * Crash safety of the CDC source: a `samsa connect` worker process streams a table's changes while a
 * writer commits transactions; the worker is killed with SIGKILL mid-stream, the writer goes on,
 * and a new worker process (same group, same internal topics) takes over. Every transaction the
 * database committed must be in the topic afterwards (duplicates are allowed, as with Debezium).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { connectClient } from '../helpers/connect.ts';
import { freePort, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { readWithKcat } from './readers.ts';

const BIN = join(import.meta.dirname, '../../bin/samsa.js');
const dir = mkdtempSync(join(tmpdir(), 'samsa-crash-'));
let pg: TestPostgres;
let broker: TestBroker;
const children: ChildProcess[] = [];

before(async () => {
  pg = await startPostgres();
  broker = await startBroker();
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await broker?.stop();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A worker on a free REST port; another process can take the port between freePort() and the
 * worker's bind (tests run in parallel), so a start that fails with EADDRINUSE tries another.
 */
async function startWorker(): Promise<{ child: ChildProcess; url: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWorkerOn(await freePort());
    } catch (err) {
      if (attempt >= 3 || !(err as Error).message.includes('EADDRINUSE')) throw err;
    }
  }
}

async function startWorkerOn(port: number): Promise<{ child: ChildProcess; url: string }> {
  const config = join(dir, 'worker.properties');
  writeFileSync(
    config,
    [
      'group.id=crash-test',
      'config.storage.topic=crash-configs',
      'offset.storage.topic=crash-offsets',
      'status.storage.topic=crash-status',
      'offset.flush.interval.ms=200',
      'session.timeout.ms=6000',
      'heartbeat.interval.ms=500',
      'rebalance.timeout.ms=10000',
    ].join('\n'),
  );
  const child = spawn(
    process.execPath,
    [BIN, 'connect', '--bootstrap-server', broker.bootstrap, '--rest-port', String(port), '--config', config],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SAMSA_LOG_LEVEL: 'warn' } },
  );
  children.push(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  // A deadline for a start that never comes, not a measure: a loaded machine takes long to start it.
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/`)).ok) return { child, url };
    } catch {}
    if (child.exitCode !== null) throw new Error(`samsa connect exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`samsa connect did not answer: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('every committed change is in the topic after kill -9 of the worker and a restart', async () => {
  await pg.query('CREATE TABLE events (id int PRIMARY KEY, version int NOT NULL)');
  const first = await startWorker();
  const rest = connectClient({ restUrl: first.url });
  const created = await rest.call('POST', '/connectors', {
    name: 'crash-cdc',
    config: {
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'database.hostname': pg.host,
      'database.port': String(pg.port),
      'database.user': pg.user,
      'database.password': pg.password,
      'database.dbname': 'postgres',
      'topic.prefix': 'crash',
      'slot.name': 'crash',
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await rest.waitForStatus('crash-cdc', (s) => s.tasks[0]?.state === 'RUNNING', 30_000);

  // The writer: each transaction inserts a new row or bumps a version; we note what committed.
  const committed: string[] = [];
  const client = await pg.connect();
  let writing = true;
  const writer = (async () => {
    let next = 1;
    while (writing) {
      await client.query('BEGIN');
      const id = next % 3 === 0 ? 1 + Math.floor(next / 3) : next;
      const { rows } = await client.query<{ version: number }>(
        'INSERT INTO events VALUES ($1, 0) ON CONFLICT (id) DO UPDATE SET version = events.version + 1 RETURNING version',
        [id],
      );
      await client.query('COMMIT');
      committed.push(`${id}:${rows[0]!.version}`);
      next++;
      // ~80 transactions a second (2 ms until December 2026: ~5 times the transactions for the same
      // crash, most of them committed while the second worker starts).
      await new Promise((r) => setTimeout(r, 10));
    }
  })();

  /** Waits (however loaded the machine) until the writer has committed `count` transactions. */
  const committedAtLeast = async (count: number): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (committed.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  };
  await committedAtLeast(150);
  first.child.kill('SIGKILL');
  const atKill = committed.length;
  await new Promise((r) => setTimeout(r, 1500));
  const second = await startWorker();
  await connectClient({ restUrl: second.url }).waitForStatus(
    'crash-cdc',
    (s) => s.tasks[0]?.state === 'RUNNING' && s.tasks[0].worker_id.endsWith(new URL(second.url).port),
    60_000,
  );
  await committedAtLeast(committed.length + 100);
  writing = false;
  await writer;
  await client.end();
  assert.ok(
    atKill > 50 && committed.length > atKill + 50,
    `${atKill} before the kill, ${committed.length} in all`,
  );

  const want = new Set(committed);
  let seen = new Set<string>();
  let total = 0;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const messages = await readWithKcat(broker.bootstrap, 'crash.public.events');
    total = messages.length;
    seen = new Set(
      messages
        .filter((m) => m.value !== null)
        .map((m) => {
          const after = (JSON.parse(m.value!) as { payload: { after: { id: number; version: number } } })
            .payload.after;
          return `${after.id}:${after.version}`;
        }),
    );
    if ([...want].every((c) => seen.has(c))) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const missing = [...want].filter((c) => !seen.has(c));
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} committed changes missing of ${want.size}`);
  assert.ok(total >= want.size, `${total} messages for ${want.size} committed changes (duplicates allowed)`);
  second.child.kill('SIGTERM');
});
