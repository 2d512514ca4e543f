/**
 * CDC end to end on the real runtime: embedded PostgreSQL → the CDC source (created over the REST
 * API with a Debezium config) → a Samsa broker → the Postgres sink (created with a Confluent JDBC
 * sink config) → a second database. A 2,000-row snapshot, then 2,000 mixed insert/update/delete
 * statements in 400 transactions; the topic read by kcat and by python3-confluent-kafka holds
 * Debezium's JSON format (schema byte for byte), in commit order per key, and replaying it gives the
 * source table; the replicas (envelopes read directly, and through ExtractNewRecordState) equal the
 * source. Bad input: missing properties (400 in Kafka
 * Connect's validation format), unknown class, bad credentials in config/validate, and a record the
 * sink cannot write (dead-letter topic with error headers, or a failed task with its trace).
 * (The full 10,000/10,000 run is `npm run soak -- cdc`.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { allRunning, startConnect, type TestConnect } from '../helpers/connect.ts';
import { startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { type ReadMessage, readWithConfluentPython, readWithKcat } from './readers.ts';

let pg: TestPostgres;
let broker: TestBroker;
let connect: TestConnect;

before(async () => {
  pg = await startPostgres();
  broker = await startBroker();
  connect = await startConnect({ bootstrap: broker.bootstrap });
});

after(async () => {
  await connect?.stop();
  await broker?.stop();
  await pg?.stop();
});

// npm-test scale; `npm run soak -- cdc` runs the full 10,000 rows and 10,000 statements.
const ROWS = Number(process.env.SAMSA_CDC_ROWS ?? 2000);
const STATEMENTS = Number(process.env.SAMSA_CDC_STATEMENTS ?? 2000);
const PER_TX = 5;
const TOPIC = 'shop.public.customers';

function cdc(db: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'tasks.max': '1',
    'database.hostname': pg.host,
    'database.port': String(pg.port),
    'database.user': pg.user,
    'database.password': pg.password,
    'database.dbname': db,
    'topic.prefix': 'shop',
    'plugin.name': 'pgoutput',
    'slot.name': `slot_${db}`,
    'table.include.list': 'public.customers',
    ...extra,
  };
}

/** Debezium 3.x's JSON schema of the `customers` value, as JsonConverter writes it. */
const FIELD_SCHEMAS =
  '[{"type":"int32","optional":false,"default":0,"field":"id"},{"type":"string","optional":false,"field":"first_name"},{"type":"string","optional":false,"field":"last_name"},{"type":"string","optional":false,"field":"email"},{"type":"int32","optional":false,"default":0,"field":"version"}]';
const DEBEZIUM_VALUE_SCHEMA = `{"type":"struct","fields":[{"type":"struct","fields":${FIELD_SCHEMAS},"optional":true,"name":"shop.public.customers.Value","field":"before"},{"type":"struct","fields":${FIELD_SCHEMAS},"optional":true,"name":"shop.public.customers.Value","field":"after"},{"type":"struct","fields":[{"type":"string","optional":false,"field":"version"},{"type":"string","optional":false,"field":"connector"},{"type":"string","optional":false,"field":"name"},{"type":"int64","optional":false,"field":"ts_ms"},{"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"},"default":"false","field":"snapshot"},{"type":"string","optional":false,"field":"db"},{"type":"string","optional":true,"field":"sequence"},{"type":"int64","optional":true,"field":"ts_us"},{"type":"int64","optional":true,"field":"ts_ns"},{"type":"string","optional":false,"field":"schema"},{"type":"string","optional":false,"field":"table"},{"type":"int64","optional":true,"field":"txId"},{"type":"int64","optional":true,"field":"lsn"},{"type":"int64","optional":true,"field":"xmin"}],"optional":false,"name":"io.debezium.connector.postgresql.Source","version":1,"field":"source"},{"type":"struct","fields":[{"type":"string","optional":false,"field":"id"},{"type":"int64","optional":false,"field":"total_order"},{"type":"int64","optional":false,"field":"data_collection_order"}],"optional":true,"name":"event.block","version":1,"field":"transaction"},{"type":"string","optional":false,"field":"op"},{"type":"int64","optional":true,"field":"ts_ms"},{"type":"int64","optional":true,"field":"ts_us"},{"type":"int64","optional":true,"field":"ts_ns"}],"optional":false,"name":"shop.public.customers.Envelope","version":2}`;
const DEBEZIUM_KEY_SCHEMA =
  '{"type":"struct","fields":[{"type":"int32","optional":false,"default":0,"field":"id"}],"optional":false,"name":"shop.public.customers.Key"}';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Payload {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: Record<string, unknown>;
  op: string;
  transaction: unknown;
}

describe('CDC → broker → sink', () => {
  test('snapshot and mixed changes arrive in Debezium’s format, in order, and replicate the table', async () => {
    const source = 'shop';
    const replica = 'replica';
    await pg.createDatabase(source);
    await pg.createDatabase(replica);
    await pg.query(
      `CREATE TABLE customers (id serial PRIMARY KEY, first_name varchar(255) NOT NULL, last_name varchar(255) NOT NULL,
         email varchar(255) NOT NULL, version int NOT NULL DEFAULT 0)`,
      [],
      source,
    );
    await pg.query(
      `INSERT INTO customers (first_name, last_name, email)
         SELECT 'First' || g, 'Last' || g, 'user' || g || '@example.com' FROM generate_series(1, ${ROWS}) g`,
      [],
      source,
    );
    const sink = await connect.call('POST', '/connectors', {
      name: 'shop-replica',
      config: {
        'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
        'connection.url': `jdbc:postgresql://${pg.host}:${pg.port}/${replica}?user=${pg.user}&password=${pg.password}`,
        topics: TOPIC,
        'table.name.format': 'customers',
        'insert.mode': 'upsert',
        'pk.mode': 'record_key',
        'delete.enabled': 'true',
        'auto.create': 'true',
        'batch.size': '500',
      },
    });
    assert.equal(sink.status, 201, JSON.stringify(sink.body));
    // A second replica through Debezium's ExtractNewRecordState (flattened rows, deletes as tombstones).
    await pg.createDatabase('flat');
    const flat = await connect.call('POST', '/connectors', {
      name: 'shop-flat',
      config: {
        'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
        'connection.url': pg.url('flat'),
        topics: TOPIC,
        'table.name.format': 'customers',
        'insert.mode': 'upsert',
        'primary.key.mode': 'record_key',
        'delete.enabled': 'true',
        'schema.evolution': 'basic',
        transforms: 'unwrap',
        'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
        'transforms.unwrap.drop.tombstones': 'false',
      },
    });
    assert.equal(flat.status, 201, JSON.stringify(flat.body));
    await connect.waitForStatus('shop-replica', allRunning());
    await connect.waitForStatus('shop-flat', allRunning());
    // The source last: the worker restarts its tasks at each rebalance (no incremental cooperative
    // rebalancing yet), and a snapshot interrupted that way starts again, repeating its records.
    const created = await connect.call('POST', '/connectors', { name: 'shop-cdc', config: cdc(source) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await connect.waitForStatus('shop-cdc', allRunning());

    // 2,000 statements in 400 transactions: inserts, updates (version + 1), deletes.
    const random = prng(13);
    const ids = Array.from({ length: ROWS }, (_, i) => i + 1);
    const writer = await pg.connect(source);
    try {
      for (let done = 0; done < STATEMENTS; ) {
        await writer.query('BEGIN');
        for (let i = 0; i < PER_TX; i++, done++) {
          const r = random();
          if (r < 0.3 || ids.length < 10) {
            const { rows } = await writer.query<{ id: number }>(
              `INSERT INTO customers (first_name, last_name, email) VALUES ('New', 'Row', 'new@example.com') RETURNING id`,
            );
            ids.push(rows[0]!.id);
          } else if (r < 0.85) {
            const id = ids[Math.floor(random() * ids.length)]!;
            await writer.query(
              `UPDATE customers SET version = version + 1, email = 'v' || (version + 1) || '@example.com' WHERE id = $1`,
              [id],
            );
          } else {
            const at = Math.floor(random() * ids.length);
            await writer.query('DELETE FROM customers WHERE id = $1', [ids[at]]);
            ids.splice(at, 1);
          }
        }
        await writer.query('COMMIT');
      }
    } finally {
      await writer.end();
    }

    const snapshotOf = async (db: string): Promise<string> =>
      JSON.stringify(await pg.query('SELECT * FROM customers ORDER BY id', [], db));
    const want = await snapshotOf(source);
    await waitFor(
      async () => {
        try {
          return (await snapshotOf(replica)) === want;
        } catch {
          return false; // the sink has not created the table yet
        }
      },
      60_000 + STATEMENTS * 30,
      'the replica to equal the source',
    );
    await waitFor(
      async () => {
        try {
          return (await snapshotOf('flat')) === want;
        } catch {
          return false;
        }
      },
      60_000 + STATEMENTS * 30,
      'the flattened replica to equal the source',
    );

    // The topic, read by two independent clients.
    const kcat = await readWithKcat(broker.bootstrap, TOPIC);
    const python = await readWithConfluentPython(broker.bootstrap, TOPIC);
    assert.deepEqual(
      python.map((m) => [m.partition, m.offset, m.key, m.value]),
      kcat.map((m) => [m.partition, m.offset, m.key, m.value]),
    );
    const inserts = ids.length; // not exact (deletes of new rows), only a lower bound below
    assert.ok(kcat.length >= ROWS + STATEMENTS * 0.9, `${kcat.length} messages`);
    assert.ok(inserts > 0);

    const state = new Map<number, Record<string, unknown>>();
    const lastLsnByKey = new Map<number, number>();
    let lastCommit = -1;
    let snapshotRecords = 0;
    for (const m of kcat) {
      const key = JSON.parse(m.key!) as { schema: unknown; payload: { id: number } };
      assert.equal(JSON.stringify(key.schema), DEBEZIUM_KEY_SCHEMA);
      const id = key.payload.id;
      if (m.value === null) {
        assert.ok(!state.has(id), `tombstone for ${id} follows its delete`);
        continue;
      }
      const value = JSON.parse(m.value) as { schema: unknown; payload: Payload };
      assert.equal(JSON.stringify(value.schema), DEBEZIUM_VALUE_SCHEMA);
      const p = value.payload;
      assert.deepEqual(Object.keys(p), [
        'before',
        'after',
        'source',
        'transaction',
        'op',
        'ts_ms',
        'ts_us',
        'ts_ns',
      ]);
      assert.deepEqual(Object.keys(p.source), [
        'version',
        'connector',
        'name',
        'ts_ms',
        'snapshot',
        'db',
        'sequence',
        'ts_us',
        'ts_ns',
        'schema',
        'table',
        'txId',
        'lsn',
        'xmin',
      ]);
      assert.equal(p.source.connector, 'postgresql');
      assert.equal(p.source.name, 'shop');
      assert.equal(p.source.db, source);
      assert.equal(p.transaction, null);
      const lsn = p.source.lsn as number;
      if (p.op === 'r') {
        snapshotRecords++;
        state.set(id, p.after!);
        continue;
      }
      assert.equal(p.source.snapshot, 'false');
      // Commit order: the last-commit part of `sequence` never goes back; per key, LSNs rise.
      const [commit, own] = JSON.parse(p.source.sequence as string) as [string, string];
      assert.equal(own, String(lsn));
      assert.ok(Number(commit) >= lastCommit, 'transactions arrive in commit order');
      lastCommit = Number(commit);
      assert.ok(lsn > (lastLsnByKey.get(id) ?? -1), `events of key ${id} in commit order`);
      lastLsnByKey.set(id, lsn);
      if (p.op === 'c') {
        assert.ok(!state.has(id));
        state.set(id, p.after!);
      } else if (p.op === 'u') {
        assert.equal(
          (p.after!.version as number) - 1,
          state.get(id)?.version,
          `no update of ${id} lost or repeated`,
        );
        state.set(id, p.after!);
      } else if (p.op === 'd') {
        assert.deepEqual(p.before, { id, first_name: '', last_name: '', email: '', version: 0 });
        assert.ok(state.delete(id));
      } else {
        assert.fail(`unexpected op ${p.op}`);
      }
    }
    assert.equal(snapshotRecords, ROWS);
    assert.equal(
      JSON.stringify([...state.values()].sort((a, b) => (a.id as number) - (b.id as number))),
      want,
    );
  });
});

describe('bad input', () => {
  test('missing properties answer 400 in Kafka Connect’s validation format; unknown classes and bad credentials', async () => {
    const { 'database.hostname': _h, 'topic.prefix': _t, ...missing } = cdc('postgres');
    const r = await connect.call<{ error_code: number; message: string }>('POST', '/connectors', {
      name: 'incomplete',
      config: missing,
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.error_code, 400);
    assert.equal(
      r.body.message,
      'Connector configuration is invalid and contains the following 2 error(s):\nMissing required configuration "database.hostname" which has no default value.\nMissing required configuration "topic.prefix" which has no default value.\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`',
    );

    const unknown = await connect.call<{ error_code: number; message: string }>('POST', '/connectors', {
      name: 'unknown',
      config: { ...cdc('postgres'), 'connector.class': 'io.debezium.connector.mysql.MySqlConnector' },
    });
    assert.equal(unknown.status, 500);
    assert.match(unknown.body.message, /io\.debezium\.connector\.mysql\.MySqlConnector/);

    const validated = await connect.call<{
      error_count: number;
      configs: { value: { name: string; errors: string[] } }[];
    }>('PUT', '/connector-plugins/io.debezium.connector.postgresql.PostgresConnector/config/validate', {
      name: 'check',
      ...cdc('postgres'),
      'database.password': 'wrong',
    });
    assert.equal(validated.status, 200);
    assert.equal(validated.body.error_count, 1);
    const password = validated.body.configs.find((c) => c.value.name === 'database.password');
    assert.match(password?.value.errors[0] ?? '', /^Unable to connect: authentication failed/);
  });

  test('a record the sink cannot write: dead-letter topic with error headers under errors.tolerance=all, failed task under none', async () => {
    await pg.createDatabase('strict');
    await pg.query('CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL)', [], 'strict');
    const produce = async (topic: string, lines: [string, string][]): Promise<void> => {
      const { execFile } = await import('node:child_process');
      await new Promise<void>((resolve, reject) => {
        const child = execFile('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-K', '|'], (err) =>
          err ? reject(err) : resolve(),
        );
        child.stdin!.end(`${lines.map(([k, v]) => `${k}|${v}`).join('\n')}\n`);
      });
    };
    const records: [string, string][] = [
      ['{"id":1}', '{"id":1,"qty":5}'],
      ['{"id":2}', '{"id":2,"qty":"lots"}'],
      ['{"id":3}', '{"id":3,"qty":7}'],
    ];
    await produce('items-tolerant', records);
    await produce('items-strict', records);
    const base = {
      'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
      'connection.url': pg.url('strict'),
      'table.name.format': 'items',
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'false',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
    };
    const tolerant = await connect.call('POST', '/connectors', {
      name: 'tolerant-sink',
      config: {
        ...base,
        topics: 'items-tolerant',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'items-dlq',
        'errors.deadletterqueue.topic.replication.factor': '1',
        'errors.deadletterqueue.context.headers.enable': 'true',
      },
    });
    assert.equal(tolerant.status, 201, JSON.stringify(tolerant.body));
    await waitFor(
      async () => (await pg.query('SELECT id FROM items ORDER BY id', [], 'strict')).length === 2,
      30_000,
      'the good records',
    );
    let dlq: ReadMessage[] = [];
    await waitFor(
      async () => {
        dlq = await readWithKcat(broker.bootstrap, 'items-dlq').catch(() => []);
        return dlq.length === 1;
      },
      30_000,
      'the dead-letter record',
    );
    assert.equal(dlq[0]!.value, '{"id":2,"qty":"lots"}');
    const headers = Object.fromEntries(dlq[0]!.headers);
    assert.equal(headers['__connect.errors.topic'], 'items-tolerant');
    assert.equal(headers['__connect.errors.partition'], '0');
    assert.equal(headers['__connect.errors.offset'], '1');
    assert.match(
      headers['__connect.errors.exception.message'] ?? '',
      /cannot write record items-tolerant\/0@1 to PostgreSQL: .*invalid input syntax for type integer: "lots"/,
    );
    assert.ok(headers['__connect.errors.exception.class.name']);
    assert.deepEqual(await pg.query('SELECT * FROM items ORDER BY id', [], 'strict'), [
      { id: 1, qty: 5 },
      { id: 3, qty: 7 },
    ]);

    await pg.query('TRUNCATE items', [], 'strict');
    const strict = await connect.call('POST', '/connectors', {
      name: 'strict-sink',
      config: { ...base, topics: 'items-strict' },
    });
    assert.equal(strict.status, 201, JSON.stringify(strict.body));
    const failed = await connect.waitForStatus('strict-sink', (s) => s.tasks[0]?.state === 'FAILED', 30_000);
    assert.match(
      failed.tasks[0]!.trace ?? '',
      /cannot write record items-strict\/0@1 to PostgreSQL: .*invalid input syntax for type integer: "lots"/,
    );
    assert.deepEqual(await pg.query('SELECT * FROM items ORDER BY id', [], 'strict'), [{ id: 1, qty: 5 }]);
  });
});
