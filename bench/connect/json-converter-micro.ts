/**
 * JsonConverter with schemas on Debezium-shaped records, in process (`node
 * bench/connect/json-converter-micro.ts [N]`): CPU µs per record to write (fromConnectData) and to
 * read back (toConnectData) a 10-column row's change event, about 3.3 KB with its schema.
 */
import { Schemas } from '../../src/connect/api/index.ts';
import { JsonConverter } from '../../src/connect/converters/json-converter.ts';
import {
  envelope,
  envelopeSchema,
  SOURCE_SCHEMA,
  sourceStruct,
} from '../../src/connectors/postgres-cdc/envelope.ts';

const n = Number(process.argv[2] ?? 200_000);
const row = Schemas.struct(
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
  { name: 'bench.public.bench10.Value', optional: true },
);
const schema = envelopeSchema('bench.public.bench10.Envelope', row);
void SOURCE_SCHEMA;
const records = Array.from({ length: 1000 }, (_, i) => {
  const after = {
    id: i,
    name: `name ${i}`,
    email: `user${i}@example.com`,
    age: i % 90,
    score: i / 7,
    active: i % 2 === 0,
    created: '2024-01-01T00:00:01.000000Z',
    balance: (i * 1.25).toFixed(2),
    note: 'a short note',
    born: 10_957 + (i % 9000),
  };
  const source = sourceStruct({
    version: '3.0.0',
    serverName: 'bench',
    db: 'snap',
    schema: 'public',
    table: 'bench10',
    tsUs: Date.now() * 1000,
    snapshot: 'true',
    lastCommitLsn: null,
    lsn: 123456n,
    txId: 789,
  });
  return envelope('r', null, after, source);
});
const c = new JsonConverter();
c.configure({}, false);
const bytes = records.map((r) => c.fromConnectData('t', [], schema, r)!);
console.log(`record ${bytes[0]!.length} B`);
for (const round of [1, 2, 3]) {
  let cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) c.fromConnectData('t', [], schema, records[i % 1000]);
  const write = process.cpuUsage(cpu);
  cpu = process.cpuUsage();
  const reader = new JsonConverter();
  reader.configure({}, false);
  for (let i = 0; i < n; i++) reader.toConnectData('t', [], bytes[i % 1000]!);
  const read = process.cpuUsage(cpu);
  console.log(
    `round ${round}: fromConnectData ${((write.user + write.system) / n).toFixed(2)} µs, toConnectData ${((read.user + read.system) / n).toFixed(2)} µs`,
  );
}
