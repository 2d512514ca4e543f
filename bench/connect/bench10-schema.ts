/**
 * The Connect schemas of the benches' 10-column table `bench10` (the CDC snapshot's and the sink's
 * rows, as the Postgres CDC connector shapes them), for the in-process micro-benchmarks: one
 * definition instead of a copy per bench.
 */
import { type Schema, Schemas } from '../../src/connect/api/index.ts';
import { envelopeSchema, sourceStruct } from '../../src/connectors/postgres-cdc/envelope.ts';

/** The row's value schema, named `<prefix>.public.bench10.Value`. */
export function bench10Row(prefix: string): Schema {
  return Schemas.struct(
    [
      ['id', Schemas.int64()],
      ['name', Schemas.string()],
      ['email', Schemas.string({ optional: true })],
      ['age', Schemas.int32({ optional: true })],
      ['score', Schemas.float64({ optional: true })],
      ['active', Schemas.boolean({ optional: true })],
      [
        'created',
        { ...Schemas.string({ optional: true }), name: 'io.debezium.time.ZonedTimestamp', version: 1 },
      ],
      ['balance', Schemas.decimal(2, { optional: true })],
      ['note', Schemas.string({ optional: true })],
      ['born', { ...Schemas.int32({ optional: true }), name: 'io.debezium.time.Date', version: 1 }],
    ],
    { name: `${prefix}.public.bench10.Value`, optional: true },
  );
}

/** The key schema (`id`), named `<prefix>.public.bench10.Key`. */
export function bench10Key(prefix: string): Schema {
  return Schemas.struct([['id', Schemas.int64()]], { name: `${prefix}.public.bench10.Key` });
}

/** The Debezium envelope schema of `row`, named `<prefix>.public.bench10.Envelope`. */
export function bench10Envelope(prefix: string, row: Schema): Schema {
  return envelopeSchema(`${prefix}.public.bench10.Envelope`, row);
}

/** Row `i`'s values as the connector gives them (`balance`: the decimal's unscaled bytes). */
export function bench10After(i: number): Record<string, unknown> {
  return {
    id: i,
    name: `name ${i}`,
    email: `user${i}@example.com`,
    age: i % 90,
    score: i / 7,
    active: i % 2 === 0,
    created: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString().replace('.000Z', 'Z'),
    balance: Buffer.from((i * 125).toString(16).padStart(8, '0'), 'hex'),
    note: 'a short note',
    born: 10_957 + (i % 9000),
  };
}

/** A snapshot record's `source` block for server `serverName`. */
export function bench10Source(serverName: string): ReturnType<typeof sourceStruct> {
  return sourceStruct({
    version: '3.0.0',
    serverName,
    db: 'snap',
    schema: 'public',
    table: 'bench10',
    tsUs: Date.now() * 1000,
    snapshot: 'true',
    lastCommitLsn: null,
    lsn: 123456n,
    txId: 789,
  });
}

/**
 * The benches' Postgres sink settings: the snapshot's topic upserted by its key into `bench10`
 * (auto-created), 2,000 rows per batch.
 */
export function bench10SinkConfig(connectionUrl: string): Record<string, string> {
  return {
    'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
    'connection.url': connectionUrl,
    topics: 'snap.public.bench10',
    'table.name.format': 'bench10',
    'insert.mode': 'upsert',
    'pk.mode': 'record_key',
    'auto.create': 'true',
    'batch.size': '2000',
  };
}
