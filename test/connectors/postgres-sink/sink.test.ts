/**
 * The Postgres sink task through the connector API against a real PostgreSQL: Debezium envelopes
 * from the CDC source replicate a table of every supported type into another database; upserts are
 * idempotent and collapse per key; deletes by tombstone, envelope and __deleted; pk.mode and
 * insert.mode variants; auto.create/auto.evolve; unwritable records to the dead-letter reporter or
 * failing the task.
 */
import assert from 'node:assert/strict';
import { after as afterAll, before as beforeAll, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type ConnectConfig,
  RetriableError,
  type Schema,
  type SinkRecord,
  type SourceRecord,
} from '../../../src/connect/api/index.ts';
import { postgresSink } from '../../../src/connectors/postgres-sink/index.ts';
import { parseConnectionUrl } from '../../../src/connectors/postgres-sink/url.ts';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { SinkHarness } from '../harness.ts';
import { cdcConfig, freshDatabase, startSource } from '../postgres-cdc/setup.ts';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

function sinkConfig(db: string, extra: Record<string, string> = {}): ConnectConfig {
  return {
    'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
    'connection.url': pg.url(db),
    topics: 'items',
    ...extra,
  };
}

async function startSink(config: ConnectConfig, withReporter = false): Promise<SinkHarness> {
  const sink = new SinkHarness(postgresSink.createTask(), withReporter);
  await sink.start(config);
  return sink;
}

const KEY: Schema = {
  type: 'struct',
  optional: false,
  name: 'k',
  fields: [{ name: 'id', index: 0, schema: { type: 'int32', optional: false } }],
};
const VALUE: Schema = {
  type: 'struct',
  optional: false,
  name: 'v',
  fields: [
    { name: 'id', index: 0, schema: { type: 'int32', optional: false } },
    { name: 'name', index: 1, schema: { type: 'string', optional: true } },
    { name: 'qty', index: 2, schema: { type: 'int64', optional: true } },
  ],
};

function row(
  sink: SinkHarness,
  id: number,
  name: string | null,
  qty: number | null,
  topic = 'items',
): SinkRecord {
  return sink.record(topic, { id }, { id, name, qty }, { keySchema: KEY, valueSchema: VALUE });
}

async function rows(db: string, sql = 'SELECT * FROM items ORDER BY id'): Promise<Record<string, unknown>[]> {
  return pg.query(sql, [], db);
}

describe('replication of CDC events', () => {
  test('Debezium envelopes of every supported type replicate a table, updates and deletes included', async () => {
    const source = await freshDatabase(pg, [
      "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
      `CREATE TABLE t (id int PRIMARY KEY, i2 smallint, i8 bigint, f4 real, f8 double precision, n numeric(10,3),
        nv numeric, txt text, vc varchar(20), ch char(3), b boolean, ts timestamp, ts3 timestamp(3), tstz timestamptz,
        d date, tm time, tmtz timetz, u uuid, j jsonb, bin bytea, arr int[], tarr text[], m mood, iv interval)`,
      `INSERT INTO t SELECT g, g, g::bigint * 1000000000, g / 3.0, g / 7.0, g * 1.5, g / 4.0, 'text ' || g, 'vc' || g, 'c', g % 2 = 0,
        '2024-01-01 00:00:00'::timestamp + g * interval '1 hour 1.000123 second', '2024-01-01 00:00:00.123', '2024-06-01 12:00:00+02',
        date '2024-01-01' + g, time '10:00:00.5' + g * interval '1 minute', '10:00:00+01',
        gen_random_uuid(), jsonb_build_object('g', g, 'tags', jsonb_build_array('a', 'b')), decode(md5(g::text), 'hex'),
        ARRAY[g, NULL, g + 1], ARRAY['x y', 'q"z'], 'happy', g * interval '1 day 2 seconds'
        FROM generate_series(1, 200) g`,
    ]);
    const target = await freshDatabase(pg);
    const cdc = await startSource(cdcConfig(pg, source, { 'topic.prefix': 'src' }));
    const sink = await startSink(
      sinkConfig(target, {
        'insert.mode': 'upsert',
        'pk.mode': 'record_key',
        'delete.enabled': 'true',
        'auto.create': 'true',
        'table.name.format': 'replica',
        'batch.size': '64',
      }),
    );
    const forward = async (records: readonly SourceRecord[]): Promise<void> => {
      await sink.put(
        records.map((r) =>
          sink.record(r.topic, r.key, r.value, { keySchema: r.keySchema, valueSchema: r.valueSchema }),
        ),
      );
    };
    try {
      await forward(await cdc.pollUntil((r) => r.length >= 200));
      const done = cdc.records.length;
      await pg.query(
        `UPDATE t SET txt = 'changed ' || id, n = n + 1, arr = NULL WHERE id % 3 = 0;
         DELETE FROM t WHERE id % 5 = 0;
         INSERT INTO t (id, txt, m) VALUES (1000, 'late', 'sad');`,
        [],
        source,
      );
      await cdc.pollUntil((r) =>
        r.some((x) => (x.value as { after?: { id?: number } } | null)?.after?.id === 1000),
      );
      await forward(cdc.records.slice(done));
      await sink.put([]); // an empty poll writes what is buffered
      // As text, so microseconds count; what Debezium's mapping itself normalises is compared normalised:
      // numeric without scale loses trailing zeros, timetz becomes UTC, interval becomes microseconds.
      const columns = `id, i2::text, i8::text, f4::text, f8::text, n::text, trim_scale(nv)::text AS nv, txt, vc, ch, b::text,
        ts::text, ts3::text, tstz::text, d::text, tm::text, (tmtz AT TIME ZONE 'UTC')::text AS tmtz, u::text, j::text,
        bin::text, arr::text, tarr::text, m::text, extract(epoch FROM iv)::text AS iv`;
      const want = await pg.query(`SELECT ${columns} FROM t ORDER BY id`, [], source);
      const got = await pg.query(`SELECT ${columns} FROM replica ORDER BY id`, [], target);
      assert.equal(got.length, 200 - 40 + 1);
      assert.deepEqual(got, want);
      const types = await pg.query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'replica' ORDER BY ordinal_position`,
        [],
        target,
      );
      assert.deepEqual(Object.fromEntries(types.map((t) => [t.column_name, t.data_type])), {
        id: 'integer',
        i2: 'smallint',
        i8: 'bigint',
        f4: 'real',
        f8: 'double precision',
        n: 'numeric',
        nv: 'numeric',
        txt: 'text',
        vc: 'text',
        ch: 'text',
        b: 'boolean',
        ts: 'timestamp without time zone',
        ts3: 'timestamp without time zone',
        tstz: 'timestamp with time zone',
        d: 'date',
        tm: 'time without time zone',
        tmtz: 'time with time zone',
        u: 'uuid',
        j: 'jsonb',
        bin: 'bytea',
        arr: 'ARRAY',
        tarr: 'ARRAY',
        m: 'text',
        iv: 'interval',
      });
    } finally {
      await cdc.stop();
      await sink.stop();
    }
  });
});

describe('writes', () => {
  test('upserts collapse per key within a batch and a redelivered batch changes nothing', async () => {
    const db = await freshDatabase(pg, ['CREATE TABLE items (id int PRIMARY KEY, name text, qty bigint)']);
    const sink = await startSink(
      sinkConfig(db, { 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'delete.enabled': 'true' }),
    );
    try {
      const batch = [
        row(sink, 1, 'a', 1),
        row(sink, 2, 'b', 2),
        row(sink, 1, 'a2', 10),
        row(sink, 3, 'c', 3),
        sink.record('items', { id: 3 }, null, { keySchema: KEY }),
        row(sink, 4, null, null),
        sink.record('items', { id: 2 }, null, { keySchema: KEY }),
        row(sink, 2, 'b again', 20),
      ];
      await sink.put(batch);
      await sink.flush();
      const expected = [
        { id: 1, name: 'a2', qty: '10' },
        { id: 2, name: 'b again', qty: '20' },
        { id: 4, name: null, qty: null },
      ];
      assert.deepEqual(await rows(db), expected);
      await sink.put(batch);
      await sink.flush();
      assert.deepEqual(await rows(db), expected, 'redelivery is harmless');
    } finally {
      await sink.stop();
    }
  });

  test('batch.size bounds each transaction; an empty put writes the rest', async () => {
    const db = await freshDatabase(pg, ['CREATE TABLE items (id int PRIMARY KEY, name text, qty bigint)']);
    const sink = await startSink(
      sinkConfig(db, { 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'batch.size': '100' }),
    );
    try {
      await sink.put(Array.from({ length: 250 }, (_, i) => row(sink, i, `n${i}`, i)));
      // The second full batch is written in the background (while the runtime fetches more).
      const count = async (): Promise<number> =>
        Number((await pg.query<{ n: string }>('SELECT count(*) AS n FROM items', [], db))[0]!.n);
      let n = await count();
      for (let i = 0; i < 200 && n < 200; i++) {
        await new Promise((r) => setTimeout(r, 25));
        n = await count();
      }
      assert.equal(n, 200, 'two full batches written, 50 buffered');
      await sink.put([]);
      assert.equal((await rows(db)).length, 250);
    } finally {
      await sink.stop();
    }
  });

  test('insert and update modes; pk.mode record_value, kafka and a primitive key', async () => {
    const db = await freshDatabase(pg, [
      'CREATE TABLE items (id int PRIMARY KEY, name text, qty bigint)',
      'CREATE TABLE log (__connect_topic text, __connect_partition int, __connect_offset bigint, name text, PRIMARY KEY (__connect_topic, __connect_partition, __connect_offset))',
      "INSERT INTO items VALUES (1, 'one', 1)",
    ]);
    const update = await startSink(
      sinkConfig(db, { 'insert.mode': 'update', 'pk.mode': 'record_value', 'pk.fields': 'id' }),
    );
    await update.put([row(update, 1, 'uno', 11), row(update, 2, 'missing', 2)]);
    await update.flush();
    await update.stop();
    assert.deepEqual(
      await rows(db),
      [{ id: 1, name: 'uno', qty: '11' }],
      'update touches existing rows only',
    );

    const insert = await startSink(sinkConfig(db, { 'insert.mode': 'insert' }));
    await insert.put([row(insert, 5, 'five', 5), row(insert, 6, 'six', 6)]);
    await insert.flush();
    await insert.stop();
    assert.deepEqual(
      (await rows(db)).map((r) => r.id),
      [1, 5, 6],
    );

    const primitive = await startSink(
      sinkConfig(db, { 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'pk.fields': 'id' }),
    );
    await primitive.put([
      primitive.record(
        'items',
        7,
        { name: 'seven', qty: 7 },
        { keySchema: { type: 'int32', optional: false } },
      ),
    ]);
    await primitive.flush();
    await primitive.stop();
    assert.deepEqual((await rows(db)).at(-1), { id: 7, name: 'seven', qty: '7' });

    const kafka = await startSink(
      sinkConfig(db, { 'insert.mode': 'upsert', 'pk.mode': 'kafka', 'table.name.format': 'log' }),
    );
    const r1 = kafka.record('items', null, { name: 'x' });
    await kafka.put([r1, r1, kafka.record('items', null, { name: 'y' })]);
    await kafka.flush();
    await kafka.stop();
    assert.deepEqual(await rows(db, 'SELECT * FROM log ORDER BY __connect_offset'), [
      { __connect_topic: 'items', __connect_partition: 0, __connect_offset: '0', name: 'x' },
      { __connect_topic: 'items', __connect_partition: 0, __connect_offset: '1', name: 'y' },
    ]);
  });

  test('ExtractNewRecordState records: __deleted=true deletes; field filters; schema-qualified table names', async () => {
    const db = await freshDatabase(pg, [
      'CREATE SCHEMA app',
      'CREATE TABLE app.srv_public_items (id int PRIMARY KEY, name text)',
    ]);
    const sink = await startSink(
      sinkConfig(db, {
        'insert.mode': 'upsert',
        'primary.key.mode': 'record_key',
        'delete.enabled': 'true',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Kafka Connect's placeholder syntax
        'table.name.format': 'app.${topic}',
        'field.exclude.list': '__deleted,srv.public.items:qty',
      }),
    );
    try {
      const flat = (id: number, deleted: string) =>
        sink.record('srv.public.items', { id }, { id, name: `n${id}`, qty: id, __deleted: deleted });
      await sink.put([flat(1, 'false'), flat(2, 'false'), flat(1, 'true')]);
      await sink.flush();
      assert.deepEqual(await rows(db, 'SELECT * FROM app.srv_public_items'), [{ id: 2, name: 'n2' }]);
    } finally {
      await sink.stop();
    }
  });

  test('auto.evolve adds new fields as columns', async () => {
    const db = await freshDatabase(pg, ['CREATE TABLE items (id int PRIMARY KEY, name text)']);
    const sink = await startSink(
      sinkConfig(db, { 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'auto.evolve': 'true' }),
    );
    try {
      await sink.put([row(sink, 1, 'one', 1)]);
      await sink.flush();
      assert.deepEqual(await rows(db), [{ id: 1, name: 'one', qty: '1' }]);
    } finally {
      await sink.stop();
    }
  });
});

describe('records the sink cannot write', () => {
  test('go to the dead-letter reporter with the reason, and the rest of the batch is written', async () => {
    const db = await freshDatabase(pg, [
      'CREATE TABLE items (id int PRIMARY KEY, name text, qty int CHECK (qty >= 0))',
    ]);
    const sink = await startSink(sinkConfig(db, { 'insert.mode': 'upsert', 'pk.mode': 'record_key' }), true);
    try {
      const good1 = row(sink, 1, 'ok', 1);
      const negative = row(sink, 2, 'bad', -5);
      const noKey = sink.record('items', null, { id: 3, name: 'x', qty: 1 });
      const good2 = row(sink, 4, 'ok', 4);
      await sink.put([good1, negative, noKey, good2]);
      await sink.flush();
      assert.deepEqual(
        (await rows(db)).map((r) => r.id),
        [1, 4],
      );
      assert.deepEqual(
        sink.reported.map((r) => r.record),
        [noKey, negative],
      );
      assert.match(
        sink.reported[0]!.error.message,
        /cannot write record items\/0@2 to PostgreSQL: pk\.mode=record_key but the record has no key/,
      );
      assert.match(
        sink.reported[1]!.error.message,
        /cannot write record items\/0@1 to PostgreSQL: .*violates check constraint "items_qty_check"/,
      );
    } finally {
      await sink.stop();
    }
  });

  test('fail the task without a dead-letter queue, naming the record and the table', async () => {
    const db = await freshDatabase(pg);
    const sink = await startSink(sinkConfig(db, { 'insert.mode': 'upsert', 'pk.mode': 'record_key' }));
    try {
      await assert.rejects(
        (async () => {
          await sink.put([row(sink, 1, 'x', 1)]);
          await sink.flush();
        })(),
        /cannot write record items\/0@0 to PostgreSQL: table items does not exist and auto\.create is disabled/,
      );
    } finally {
      await sink.stop();
    }
  });

  test('a batch written in the background that fails fails the put that fills the next batch, and flush', async () => {
    const db = await freshDatabase(pg);
    const sink = await startSink(
      sinkConfig(db, { 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'batch.size': '2' }),
    );
    try {
      // A full batch: put starts its write and returns; the missing table fails it afterwards.
      await sink.put([row(sink, 1, 'x', 1), row(sink, 2, 'y', 2)]);
      await assert.rejects(
        sink.put([row(sink, 3, 'z', 3), row(sink, 4, 'w', 4)]),
        /cannot write record items\/0@\d to PostgreSQL: table items does not exist and auto\.create is disabled/,
      );
      await assert.rejects(sink.flush(), /table items does not exist/);
    } finally {
      await sink.stop();
    }
  });

  test('the next batch fills while a batch is written: puts short of it do not wait for the write', {
    timeout: 60_000,
  }, async () => {
    const db = await freshDatabase(pg, ['CREATE TABLE items (id int PRIMARY KEY, name text, qty bigint)']);
    const sink = await startSink(
      sinkConfig(db, { 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'batch.size': '3' }),
    );
    // Another session holds a lock that blocks the sink's write until it commits.
    const locker = await pg.connect(db);
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE items IN ACCESS EXCLUSIVE MODE');
      await sink.put([row(sink, 1, 'a', 1), row(sink, 2, 'b', 2), row(sink, 3, 'c', 3)]);
      // The first batch's write is blocked; these puts return all the same (a wait would hang).
      await sink.put([row(sink, 4, 'd', 4)]);
      await sink.put([row(sink, 5, 'e', 5)]);
      assert.equal(
        (await locker.query('SELECT count(*)::int AS n FROM items')).rows[0].n,
        0,
        'nothing written yet',
      );
      await locker.query('COMMIT');
      await sink.flush();
      assert.deepEqual(
        (await rows(db)).map((r) => r.id),
        [1, 2, 3, 4, 5],
      );
    } finally {
      await locker.end();
      await sink.stop();
    }
  });

  test('a connection lost under a write fails the next put with RetriableError, which takes back only its own records: redelivered, each record is written once', {
    timeout: 60_000,
  }, async () => {
    // No primary key and insert mode: a record buffered twice would be written twice.
    const db = await freshDatabase(pg, ['CREATE TABLE items (id int, name text, qty bigint)']);
    const sink = await startSink(sinkConfig(db, { 'insert.mode': 'insert', 'batch.size': '2' }));
    const locker = await pg.connect(db);
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE items IN ACCESS EXCLUSIVE MODE');
      // A full batch: its write starts in the background and waits for the lock.
      await sink.put([row(sink, 1, 'a', 1), row(sink, 2, 'b', 2)]);
      const waiting = async () =>
        (
          await locker.query(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'samsa-sink' AND wait_event_type = 'Lock'",
          )
        ).rows as { pid: number }[];
      let blocked = await waiting();
      for (let i = 0; blocked.length === 0 && i < 200; i++) {
        await new Promise((r) => setTimeout(r, 25));
        blocked = await waiting();
      }
      assert.equal(blocked.length, 1, "the sink's write waits for the lock");
      await locker.query('SELECT pg_terminate_backend($1)', [blocked[0]!.pid]);
      const next = [row(sink, 3, 'c', 3), row(sink, 4, 'd', 4)];
      await assert.rejects(sink.put(next), RetriableError);
      await locker.query('COMMIT');
      await sink.put(next); // the runtime delivers the failed put's records again
      await sink.flush();
      assert.deepEqual(
        (await rows(db)).map((r) => r.id),
        [1, 2, 3, 4],
      );
    } finally {
      await locker.end();
      await sink.stop();
    }
  });

  test('buffered rows keep their records alive only for a dead-letter reporter', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const db = await freshDatabase(pg, ['CREATE TABLE items (id int PRIMARY KEY, name text, qty bigint)']);
    for (const withReporter of [false, true]) {
      const sink = await startSink(
        sinkConfig(db, { 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'batch.size': '100' }),
        withReporter,
      );
      try {
        // Put (and buffered: short of a batch) by a function whose references end with it.
        const values = await (async () => {
          const record = row(sink, 1, 'a', 1);
          await sink.put([record]);
          return new WeakRef(record.value as object);
        })();
        await new Promise((r) => setImmediate(r));
        gc();
        assert.equal(
          values.deref() !== undefined,
          withReporter,
          withReporter ? 'the reporter may need the record' : 'only the row is kept',
        );
        await sink.flush();
        assert.deepEqual(await rows(db), [{ id: 1, name: 'a', qty: '1' }]);
      } finally {
        await sink.stop();
      }
    }
  });

  test('bad configuration and credentials are refused clearly', async () => {
    const db = await freshDatabase(pg);
    await assert.rejects(
      startSink(sinkConfig(db, { 'insert.mode': 'upsert' })),
      /insert\.mode=upsert needs a primary key/,
    );
    await assert.rejects(
      startSink(sinkConfig(db, { 'connection.url': pg.url(db).replace(':postgres@', ':nope@') })),
      /authentication failed for postgres@127\.0\.0\.1:\d+\/cdc_\d+_\d+/,
    );
    await assert.rejects(
      startSink(sinkConfig(db, { 'connection.url': 'mysql://h/db' })),
      /unsupported URL scheme "mysql"/,
    );
    const errors = await postgresSink.createConnector().validate!(
      sinkConfig(db, {
        'connection.url': `jdbc:postgresql://127.0.0.1:${pg.port}/${db}?user=postgres&password=bad`,
      }),
    );
    assert.match(
      errors.get('connection.url')?.[0] ?? '',
      /^Unable to connect: .*password authentication failed/,
    );
  });

  test('connection.url forms', () => {
    assert.deepEqual(
      parseConnectionUrl('jdbc:postgresql://db.example:6543/shop?user=u&password=p%40ss&sslmode=require'),
      {
        host: 'db.example',
        port: 6543,
        database: 'shop',
        user: 'u',
        password: 'p@ss',
        ssl: { rejectUnauthorized: false },
      },
    );
    assert.deepEqual(parseConnectionUrl('postgres://u:p%40ss@localhost/shop'), {
      host: 'localhost',
      port: 5432,
      database: 'shop',
      user: 'u',
      password: 'p@ss',
      ssl: false,
    });
  });
});
