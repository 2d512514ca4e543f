/**
 * The CDC source task through the connector API against a real PostgreSQL (embedded, wal_level=logical):
 * snapshot then streaming with no gap and no duplicate while writers run, Debezium's event shapes
 * (keys, envelopes, tombstones, REPLICA IDENTITY FULL, primary key changes, truncates), schema changes
 * mid-stream, filters, and the slot's position moving only with acknowledged records.
 */
import assert from 'node:assert/strict';
import { after as afterAll, before as beforeAll, describe, test } from 'node:test';
import type { SourceRecord, Struct } from '../../../src/connect/api/index.ts';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import {
  after,
  before,
  cdcConfig,
  confirmedFlush,
  freshDatabase,
  ofTable,
  op,
  payload,
  startSource,
  until,
} from './setup.ts';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

const TOPIC = 'srv.public.items';
const ITEMS = 'CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL DEFAULT 0, label text)';

describe('snapshot then streaming', () => {
  test('every row version appears exactly once while writers run during the snapshot', async () => {
    const db = await freshDatabase(pg, [
      ITEMS,
      "INSERT INTO items SELECT g, 0, 'row ' || g FROM generate_series(1, 2000) g",
    ]);
    const writer = await pg.connect(db);
    let writing = true;
    let statements = 0;
    const writes = (async () => {
      let next = 2001;
      while (writing) {
        const id = 1 + Math.floor(Math.random() * (next - 1));
        const kind = statements % 3;
        if (kind === 0) await writer.query('INSERT INTO items VALUES ($1, 0, $2)', [next++, 'new']);
        else if (kind === 1) await writer.query('UPDATE items SET v = v + 1 WHERE id = $1', [id]);
        else await writer.query('DELETE FROM items WHERE id = $1 AND id % 7 = 0', [id]);
        statements++;
      }
    })();
    // A small fetch size makes the snapshot long enough for the writers to interleave.
    const source = await startSource(cdcConfig(pg, db, { 'snapshot.fetch.size': '50' }));
    try {
      await source.pollUntil((r) =>
        r.some((x) => (payload(x)?.source as Struct | undefined)?.snapshot === 'last'),
      );
      writing = false;
      await writes;
      await writer.query("INSERT INTO items VALUES (-1, 0, 'end marker')");
      await source.pollUntil((r) => r.some((x) => x.value !== null && (after(x)?.id as number) === -1));
      assert.ok(statements > 30, `writers ran ${statements} statements`);

      // Replay the events per key: versions must advance by exactly one, with nothing missing or repeated.
      const state = new Map<number, number>();
      for (const r of ofTable(source.records, TOPIC)) {
        if (r.value === null) continue;
        const o = op(r);
        const id = ((after(r) ?? before(r)) as Struct).id as number;
        if (o === 'r' || o === 'c') {
          assert.ok(!state.has(id), `${o} for ${id} which already exists`);
          state.set(id, after(r)!.v as number);
        } else if (o === 'u') {
          const v = after(r)!.v as number;
          assert.equal(
            v,
            (state.get(id) ?? Number.NaN) + 1,
            `update of ${id} to v=${v} after v=${state.get(id)}`,
          );
          state.set(id, v);
        } else if (o === 'd') {
          assert.ok(state.delete(id), `delete of missing ${id}`);
        }
      }
      const rows = await pg.query<{ id: number; v: number }>('SELECT id, v FROM items ORDER BY id', [], db);
      assert.deepEqual(
        [...state].sort((a, b) => a[0] - b[0]),
        rows.map((r) => [r.id, r.v]),
      );
      const snapshot = source.records.filter((r) => op(r) === 'r');
      assert.ok(snapshot.length >= 2000 - 2000 / 7 && snapshot.length <= 2000 + statements);
      assert.equal((payload(snapshot[0]!).source as Struct).snapshot, 'first');
      assert.equal((payload(snapshot.at(-1)!).source as Struct).snapshot, 'last');
      assert.ok(snapshot.slice(1, -1).every((r) => (payload(r).source as Struct).snapshot === 'true'));
    } finally {
      writing = false;
      await writes.catch(() => {});
      await writer.end();
      await source.stop();
    }
  });

  test('snapshot markers name the first and last record of each table', async () => {
    const db = await freshDatabase(pg, [
      'CREATE TABLE a (id int PRIMARY KEY)',
      'CREATE TABLE b (id int PRIMARY KEY)',
      'CREATE TABLE c (id int PRIMARY KEY)',
      'INSERT INTO a VALUES (1), (2), (3)',
      'INSERT INTO b VALUES (1), (2)',
      'INSERT INTO c VALUES (1), (2), (3)',
    ]);
    const source = await startSource(cdcConfig(pg, db));
    try {
      const records = await source.pollUntil((r) => r.length >= 8);
      assert.deepEqual(
        records.map((r) => `${r.topic.split('.')[2]}:${(payload(r).source as Struct).snapshot}`),
        [
          'a:first',
          'a:true',
          'a:last_in_data_collection',
          'b:first_in_data_collection',
          'b:last_in_data_collection',
          'c:first_in_data_collection',
          'c:true',
          'c:last',
        ],
      );
      assert.deepEqual(records.at(-1)!.sourceOffset.last_snapshot_record, true);
    } finally {
      await source.stop();
    }
  });

  test('a poll returns at most max.batch.size snapshot records, whatever the fetch size', async () => {
    const db = await freshDatabase(pg, [
      'CREATE TABLE a (id int PRIMARY KEY)',
      'CREATE TABLE b (id int PRIMARY KEY)',
      'INSERT INTO a SELECT generate_series(1, 7)',
      'INSERT INTO b SELECT generate_series(1, 3)',
    ]);
    const source = await startSource(
      cdcConfig(pg, db, { 'snapshot.fetch.size': '5', 'max.batch.size': '2' }),
    );
    try {
      const sizes: number[] = [];
      while (!source.records.some((r) => (payload(r).source as Struct).snapshot === 'last')) {
        const batch = await source.pollOnce();
        if (batch.length > 0) sizes.push(batch.length);
      }
      assert.ok(
        sizes.every((n) => n <= 2),
        `poll sizes ${sizes.join(',')}`,
      );
      assert.deepEqual(
        source.records.map(
          (r) => `${r.topic.split('.')[2]}:${after(r)!.id}:${(payload(r).source as Struct).snapshot}`,
        ),
        [
          'a:1:first',
          ...[2, 3, 4, 5, 6].map((id) => `a:${id}:true`),
          'a:7:last_in_data_collection',
          'b:1:first_in_data_collection',
          'b:2:true',
          'b:3:last',
        ],
      );
    } finally {
      await source.stop();
    }
  });
});

describe('change events', () => {
  test("inserts, updates and deletes have Debezium's keys, envelopes and tombstones", async () => {
    const db = await freshDatabase(pg, [ITEMS]);
    const source = await startSource(cdcConfig(pg, db));
    try {
      await source.pollOnce();
      await pg.query("INSERT INTO items VALUES (1, 0, 'one')", [], db);
      await pg.query("UPDATE items SET label = 'uno' WHERE id = 1", [], db);
      await pg.query('DELETE FROM items WHERE id = 1', [], db);
      const records = await source.pollUntil((r) => r.length >= 4);
      assert.deepEqual(
        records.map((r) => [r.topic, r.key, op(r)]),
        [
          [TOPIC, { id: 1 }, 'c'],
          [TOPIC, { id: 1 }, 'u'],
          [TOPIC, { id: 1 }, 'd'],
          [TOPIC, { id: 1 }, null],
        ],
      );
      const [c, u, d, tombstone] = records as [SourceRecord, SourceRecord, SourceRecord, SourceRecord];
      assert.deepEqual(after(c), { id: 1, v: 0, label: 'one' });
      assert.equal(before(c), null);
      assert.equal(before(u), null, 'REPLICA IDENTITY DEFAULT: no before for updates');
      assert.deepEqual(after(u), { id: 1, v: 0, label: 'uno' });
      // DEFAULT identity: the delete carries only the key; NOT NULL v gets its default (0), label null.
      assert.deepEqual(before(d), { id: 1, v: 0, label: null });
      assert.equal(after(d), null);
      assert.equal(tombstone.value, null);
      assert.equal(tombstone.valueSchema, null);
      const source0 = payload(c).source as Struct;
      assert.equal(source0.connector, 'postgresql');
      assert.equal(source0.name, 'srv');
      assert.equal(source0.db, db);
      assert.equal(source0.schema, 'public');
      assert.equal(source0.table, 'items');
      assert.equal(source0.snapshot, 'false');
      assert.equal(typeof source0.txId, 'number');
      assert.equal(typeof source0.lsn, 'number');
      const sequence = JSON.parse(source0.sequence as string) as [string | null, string];
      assert.equal(sequence[1], String(source0.lsn));
      // Transactions are in commit order and each later event's sequence starts at a later commit.
      const txIds = records.slice(0, 3).map((r) => (payload(r).source as Struct).txId as number);
      assert.ok(txIds[0]! < txIds[1]! && txIds[1]! < txIds[2]!);
      assert.equal(c.keySchema?.name, 'srv.public.items.Key');
      assert.equal(c.valueSchema?.name, 'srv.public.items.Envelope');
      assert.equal(c.valueSchema?.version, 2);
      assert.deepEqual(
        c.valueSchema?.fields?.map((f) => f.name),
        ['before', 'after', 'source', 'transaction', 'op', 'ts_ms', 'ts_us', 'ts_ns'],
      );
      assert.deepEqual(
        c.valueSchema?.fields?.[1]?.schema.fields?.map((f) => [f.name, f.schema.type, f.schema.optional]),
        [
          ['id', 'int32', false],
          ['v', 'int32', false],
          ['label', 'string', true],
        ],
      );
      assert.equal(c.valueSchema?.fields?.[1]?.schema.fields?.[1]?.schema.defaultValue, 0);
      assert.deepEqual(c.sourcePartition, { server: 'srv' });
    } finally {
      await source.stop();
    }
  });

  test('REPLICA IDENTITY FULL fills before; a primary key change is delete, tombstone, create with key headers', async () => {
    const db = await freshDatabase(pg, [ITEMS, 'ALTER TABLE items REPLICA IDENTITY FULL']);
    const source = await startSource(cdcConfig(pg, db, { 'snapshot.mode': 'never' }));
    try {
      await source.pollOnce();
      await pg.query("INSERT INTO items VALUES (1, 5, 'one')", [], db);
      await pg.query("UPDATE items SET label = 'uno' WHERE id = 1", [], db);
      await pg.query('UPDATE items SET id = 2 WHERE id = 1', [], db);
      await pg.query('DELETE FROM items WHERE id = 2', [], db);
      const records = await source.pollUntil((r) => r.length >= 7);
      assert.deepEqual(
        records.map((r) => [r.key, op(r)]),
        [
          [{ id: 1 }, 'c'],
          [{ id: 1 }, 'u'],
          [{ id: 1 }, 'd'],
          [{ id: 1 }, null],
          [{ id: 2 }, 'c'],
          [{ id: 2 }, 'd'],
          [{ id: 2 }, null],
        ],
      );
      assert.deepEqual(before(records[1]!), { id: 1, v: 5, label: 'one' });
      assert.deepEqual(before(records[2]!), { id: 1, v: 5, label: 'uno' });
      assert.deepEqual(
        records[2]!.headers.map((h) => [h.key, h.value]),
        [['__debezium.newkey', { id: 2 }]],
      );
      assert.deepEqual(
        records[4]!.headers.map((h) => [h.key, h.value]),
        [['__debezium.oldkey', { id: 1 }]],
      );
      assert.deepEqual(after(records[4]!), { id: 2, v: 5, label: 'uno' });
      assert.deepEqual(before(records[5]!), { id: 2, v: 5, label: 'uno' });
    } finally {
      await source.stop();
    }
  });

  test('ALTER TABLE ADD COLUMN mid-stream shows in the next events’ schema', async () => {
    const db = await freshDatabase(pg, [ITEMS]);
    const source = await startSource(cdcConfig(pg, db, { 'snapshot.mode': 'never' }));
    try {
      await source.pollOnce();
      await pg.query("INSERT INTO items VALUES (1, 0, 'one')", [], db);
      await pg.query(
        'ALTER TABLE items ADD COLUMN price numeric(8,2) NOT NULL DEFAULT 1.50, ADD COLUMN note varchar(10)',
        [],
        db,
      );
      await pg.query("INSERT INTO items VALUES (2, 0, 'two', 3.25, 'hi')", [], db);
      await pg.query('UPDATE items SET v = 1 WHERE id = 1', [], db);
      const records = await source.pollUntil((r) => r.length >= 3);
      const fields = (r: SourceRecord) => r.valueSchema?.fields?.[1]?.schema.fields?.map((f) => f.name);
      assert.deepEqual(fields(records[0]!), ['id', 'v', 'label']);
      assert.deepEqual(fields(records[1]!), ['id', 'v', 'label', 'price', 'note']);
      assert.deepEqual(after(records[1]!)!.price, Buffer.from([0x01, 0x45])); // 3.25 → unscaled 325
      assert.equal(after(records[1]!)!.note, 'hi');
      assert.deepEqual(after(records[2]!)!.price, Buffer.from([0x00, 0x96])); // default 1.50 → 150
      const price = records[1]!.valueSchema?.fields?.[1]?.schema.fields?.[3]?.schema;
      assert.equal(price?.name, 'org.apache.kafka.connect.data.Decimal');
      assert.deepEqual(price?.parameters, { scale: '2', 'connect.decimal.precision': '8' });
    } finally {
      await source.stop();
    }
  });

  test('a full queue pauses the stream: every change arrives once and in order, across a schema change', async () => {
    const db = await freshDatabase(pg, [ITEMS]);
    // A queue of 3: the stream blocks and resumes many times, with messages read while it waits.
    const source = await startSource(
      cdcConfig(pg, db, { 'snapshot.mode': 'never', 'max.queue.size': '3', 'max.batch.size': '2' }),
    );
    try {
      await source.pollOnce();
      const client = await pg.connect(db);
      try {
        for (let i = 1; i <= 150; i++) await client.query('INSERT INTO items VALUES ($1, 0)', [i]);
        await client.query('ALTER TABLE items ADD COLUMN note text');
        await client.query("INSERT INTO items SELECT g, 1, 'bulk', 'n' FROM generate_series(151, 300) g");
      } finally {
        await client.end();
      }
      const records = await source.pollUntil((r) => r.length >= 300, 60_000);
      assert.equal(records.length, 300);
      assert.deepEqual(
        records.map((r) => (r.key as Struct).id),
        Array.from({ length: 300 }, (_, i) => i + 1),
      );
      assert.equal(after(records[149]!)!.note, undefined);
      assert.equal(after(records[150]!)!.note, 'n');
      // Each single-row transaction's record carries its own commit's end; lsn_commit never goes back.
      const commits = records.map((r) => r.sourceOffset.lsn_commit as number);
      for (let i = 1; i < 150; i++) assert.ok(commits[i]! > commits[i - 1]!, `record ${i}`);
      for (let i = 150; i < 300; i++) assert.ok(commits[i]! >= commits[i - 1]!, `record ${i}`);
    } finally {
      await source.stop();
    }
  });
  test('skipped.operations, tombstones.on.delete=false and truncate events', async () => {
    const db = await freshDatabase(pg, [ITEMS]);
    const source = await startSource(
      cdcConfig(pg, db, {
        'snapshot.mode': 'never',
        'skipped.operations': 'u,t',
        'tombstones.on.delete': 'false',
      }),
    );
    try {
      await source.pollOnce();
      await pg.query("INSERT INTO items VALUES (1, 0, 'one'), (2, 0, 'two')", [], db);
      await pg.query('UPDATE items SET v = 9', [], db);
      await pg.query('DELETE FROM items WHERE id = 1', [], db);
      await pg.query('TRUNCATE items', [], db);
      await pg.query("INSERT INTO items VALUES (3, 0, 'three')", [], db);
      const records = await source.pollUntil((r) => r.some((x) => after(x)?.id === 3));
      assert.deepEqual(
        records.map((r) => [r.key, op(r)]),
        [
          [{ id: 1 }, 'c'],
          [{ id: 2 }, 'c'],
          [{ id: 1 }, 'd'],
          [{ id: 3 }, 'c'],
        ],
        'no updates, no tombstone, no truncate',
      );
    } finally {
      await source.stop();
    }
    const db2 = await freshDatabase(pg, [ITEMS]);
    const truncating = await startSource(
      cdcConfig(pg, db2, { 'snapshot.mode': 'never', 'skipped.operations': 'none' }),
    );
    try {
      await truncating.pollOnce();
      await pg.query("INSERT INTO items VALUES (1, 0, 'one')", [], db2);
      await pg.query('TRUNCATE items', [], db2);
      const records = await truncating.pollUntil((r) => r.length >= 2);
      assert.equal(op(records[1]!), 't');
      assert.equal(records[1]!.key, null);
      assert.equal(before(records[1]!), null);
      assert.equal(after(records[1]!), null);
    } finally {
      await truncating.stop();
    }
  });

  test('table and column include/exclude lists; the key keeps excluded key columns', async () => {
    const db = await freshDatabase(pg, [
      'CREATE TABLE users (id int PRIMARY KEY, name text, password_hash text)',
      'CREATE TABLE audit (id int PRIMARY KEY, what text)',
      "INSERT INTO users VALUES (1, 'ann', 'secret')",
      "INSERT INTO audit VALUES (1, 'login')",
    ]);
    const source = await startSource(
      cdcConfig(pg, db, {
        'table.include.list': 'public\\.users',
        'column.exclude.list': 'public\\.users\\.password_hash,public\\.users\\.id',
        'publication.autocreate.mode': 'filtered',
      }),
    );
    try {
      await source.pollUntil((r) => r.length >= 1);
      await pg.query("INSERT INTO audit VALUES (2, 'x')", [], db);
      await pg.query("INSERT INTO users VALUES (2, 'bob', 'hunter2')", [], db);
      const records = await source.pollUntil((r) => r.length >= 2);
      assert.deepEqual(
        records.map((r) => r.topic),
        ['srv.public.users', 'srv.public.users'],
      );
      assert.deepEqual(after(records[0]!), { name: 'ann' });
      assert.deepEqual(records[0]!.key, { id: 1 });
      assert.deepEqual(after(records[1]!), { name: 'bob' });
      const published = await pg.query<{ tablename: string }>(
        "SELECT tablename FROM pg_publication_tables WHERE pubname = 'dbz_publication'",
        [],
        db,
      );
      assert.deepEqual(
        published.map((p) => p.tablename),
        ['users'],
      );
    } finally {
      await source.stop();
    }
  });
});

describe('positions', () => {
  test('the slot advances only past acknowledged records; a restart resumes after the last acknowledged transaction', async () => {
    const db = await freshDatabase(pg, [ITEMS]);
    const config = cdcConfig(pg, db, { 'snapshot.mode': 'never' });
    const slot = config['slot.name']!;
    const first = await startSource(config);
    first.autoAck = false;
    const start = await confirmedFlush(pg, slot);
    for (let i = 1; i <= 10; i++) await pg.query(`INSERT INTO items VALUES (${i}, 0, 'x')`, [], db);
    await first.pollUntil((r) => r.length >= 10);
    await new Promise((r) => setTimeout(r, 600)); // status updates every 200 ms
    assert.equal(await confirmedFlush(pg, slot), start, 'nothing acknowledged, nothing confirmed');
    await first.ack(4);
    const acked = await until(
      () => confirmedFlush(pg, slot),
      (v) => v !== start,
    );
    assert.equal(acked, BigInt(first.records[3]!.sourceOffset.lsn_commit as number));
    await first.stop();

    const second = await startSource(config, first.offsets);
    try {
      const records = await second.pollUntil((r) => r.length >= 6);
      assert.deepEqual(
        records.map((r) => after(r)!.id),
        [5, 6, 7, 8, 9, 10],
        'the six unacknowledged inserts come again, the four acknowledged do not',
      );
    } finally {
      await second.stop();
    }
  });

  test('idle: writes to uncaptured tables move the slot once everything emitted is acknowledged; heartbeats', async () => {
    const db = await freshDatabase(pg, [ITEMS, 'CREATE TABLE other (id int PRIMARY KEY)']);
    const config = cdcConfig(pg, db, {
      'snapshot.mode': 'never',
      'table.include.list': 'public.items',
      'heartbeat.interval.ms': '300',
    });
    const slot = config['slot.name']!;
    const source = await startSource(config);
    try {
      await source.pollOnce();
      const start = await confirmedFlush(pg, slot);
      for (let i = 0; i < 20; i++) await pg.query(`INSERT INTO other VALUES (${i})`, [], db);
      const { rows } = {
        rows: await pg.query<{ lsn: string }>(
          "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS lsn",
          [],
          db,
        ),
      };
      const walNow = BigInt(rows[0]!.lsn);
      let moved = start;
      const deadline = Date.now() + 10_000;
      while ((moved ?? 0n) < walNow - 200n && Date.now() < deadline) {
        await source.pollOnce();
        moved = await confirmedFlush(pg, slot);
      }
      assert.ok((moved ?? 0n) > (start ?? 0n), `slot moved from ${start} to ${moved} (WAL at ${walNow})`);
      const heartbeats = source.records.filter((r) => r.topic === '__debezium-heartbeat.srv');
      assert.ok(heartbeats.length >= 1);
      assert.deepEqual(heartbeats[0]!.key, { serverName: 'srv' });
      assert.equal(heartbeats[0]!.keySchema?.name, 'io.debezium.connector.common.ServerNameKey');
      assert.equal(heartbeats[0]!.valueSchema?.name, 'io.debezium.connector.common.Heartbeat');
      assert.equal(typeof (heartbeats[0]!.value as Struct).ts_ms, 'number');
      assert.equal(ofTable(source.records, TOPIC).length, 0);
    } finally {
      await source.stop();
    }
  });
});

describe('snapshot modes and slot lifecycle', () => {
  test('initial_only snapshots without a slot; never streams without a snapshot; slot.drop.on.stop', async () => {
    const db = await freshDatabase(pg, [ITEMS, "INSERT INTO items VALUES (1, 0, 'one')"]);
    const only = await startSource(cdcConfig(pg, db, { 'snapshot.mode': 'initial_only' }));
    try {
      await only.pollUntil((r) => r.length >= 1);
      await pg.query("INSERT INTO items VALUES (2, 0, 'two')", [], db);
      for (let i = 0; i < 3; i++) await only.pollOnce();
      assert.deepEqual(
        only.records.map((r) => [op(r), after(r)!.id]),
        [['r', 1]],
      );
    } finally {
      await only.stop();
    }
    assert.equal(await confirmedFlush(pg, `slot_${db}`), null, 'initial_only creates no slot');

    const never = await startSource(
      cdcConfig(pg, db, { 'snapshot.mode': 'never', 'slot.drop.on.stop': 'true' }),
    );
    try {
      await never.pollOnce();
      await pg.query("INSERT INTO items VALUES (3, 0, 'three')", [], db);
      const records = await never.pollUntil((r) => r.length >= 1);
      assert.deepEqual(
        records.map((r) => [op(r), after(r)!.id]),
        [['c', 3]],
      );
      assert.notEqual(await confirmedFlush(pg, `slot_${db}`), null);
    } finally {
      await never.stop();
    }
    assert.equal(await confirmedFlush(pg, `slot_${db}`), null, 'slot.drop.on.stop dropped the slot');
  });

  test('always re-snapshots on restart; when_needed re-snapshots when the slot is gone, initial refuses', async () => {
    const db = await freshDatabase(pg, [ITEMS, "INSERT INTO items VALUES (1, 0, 'one')"]);
    const first = await startSource(cdcConfig(pg, db, { 'snapshot.mode': 'always' }));
    await first.pollUntil((r) => r.length >= 1);
    await first.stop();
    const again = await startSource(cdcConfig(pg, db, { 'snapshot.mode': 'always' }), first.offsets);
    try {
      await pg.query("INSERT INTO items VALUES (2, 0, 'two')", [], db);
      const records = await again.pollUntil((r) => r.some((x) => op(x) === 'c'));
      assert.deepEqual(
        records.map((r) => [op(r), after(r)!.id]),
        [
          ['r', 1],
          ['c', 2],
        ],
      );
    } finally {
      await again.stop();
    }
    // The server ends the stopped source's walsender asynchronously: dropping the slot while it is
    // still active fails ("replication slot ... is active for PID ...").
    await until(
      () =>
        pg.query<{ active: boolean }>(
          'SELECT active FROM pg_replication_slots WHERE slot_name = $1',
          [`slot_${db}`],
          db,
        ),
      (rows) => rows[0]?.active === false,
    );
    await pg.query('SELECT pg_drop_replication_slot($1)', [`slot_${db}`], db);
    await assert.rejects(
      startSource(cdcConfig(pg, db), again.offsets),
      /replication slot "slot_cdc_\d+_\d+" does not exist, but the connector has a stored position.*when_needed/,
    );
    const needed = await startSource(cdcConfig(pg, db, { 'snapshot.mode': 'when_needed' }), again.offsets);
    try {
      const records = await needed.pollUntil((r) => r.length >= 2);
      assert.deepEqual(
        records.map((r) => [op(r), after(r)!.id]),
        [
          ['r', 1],
          ['r', 2],
        ],
      );
    } finally {
      await needed.stop();
    }
  });
});

describe('errors', () => {
  test('wrong credentials, missing publication and a dropped slot give clear errors', async () => {
    const db = await freshDatabase(pg, [ITEMS]);
    await assert.rejects(
      startSource(cdcConfig(pg, db, { 'database.password': 'wrong' })),
      /authentication failed for postgres@127\.0\.0\.1:\d+\/cdc_\d+_\d+.*check database\.user and database\.password/,
    );
    await assert.rejects(
      startSource(
        cdcConfig(pg, db, { 'publication.autocreate.mode': 'disabled', 'publication.name': 'nope' }),
      ),
      /publication "nope" does not exist in database "cdc_\d+_\d+" and publication\.autocreate\.mode is disabled/,
    );
    await assert.rejects(startSource(cdcConfig(pg, db, { 'snapshot.mode': 'sometimes' })), (err: Error) =>
      err.message.includes(
        'Invalid value sometimes for configuration snapshot.mode: String must be one of: initial, initial_only, never, no_data, when_needed, always',
      ),
    );

    const config = cdcConfig(pg, db, { 'snapshot.mode': 'never' });
    const source = await startSource(config);
    try {
      await source.pollOnce();
      await pg.query(
        'SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1',
        [config['slot.name']],
        db,
      );
      await until(
        () =>
          pg.query<{ active: boolean }>(
            'SELECT active FROM pg_replication_slots WHERE slot_name = $1',
            [config['slot.name']],
            db,
          ),
        (rows) => rows[0]?.active === false,
      );
      await pg.query('SELECT pg_drop_replication_slot($1)', [config['slot.name']], db);
      await assert.rejects(
        source.pollUntil(() => false, 10_000),
        /cannot stream from replication slot "slot_cdc_\d+_\d+": replication slot "slot_cdc_\d+_\d+" does not exist/,
      );
    } finally {
      await source.stop();
    }
  });

  test('a server without wal_level=logical is refused with what to change', async () => {
    const replica = await startPostgres({ settings: { wal_level: 'replica' } });
    try {
      await assert.rejects(
        startSource(cdcConfig(replica, 'postgres')),
        /has wal_level=replica; logical decoding needs wal_level=logical/,
      );
      const { postgresCdcSource } = await import('../../../src/connectors/postgres-cdc/index.ts');
      const errors = await postgresCdcSource.createConnector().validate!(cdcConfig(replica, 'postgres'));
      assert.match(errors.get('database.hostname')?.[0] ?? '', /^Unable to connect: .*wal_level=logical/);
    } finally {
      await replica.stop();
    }
  });
});
