/**
 * JsonConverter with schemas on Debezium-shaped records, in process (`node
 * bench/connect/json-converter-micro.ts [N]`): CPU µs per record to write (fromConnectData) and to
 * read back (toConnectData) a 10-column row's change event, about 3.3 KB with its schema.
 */
import { JsonConverter } from '../../src/connect/converters/json-converter.ts';
import { envelope } from '../../src/connectors/postgres-cdc/envelope.ts';
import { bench10After, bench10Envelope, bench10Row, bench10Source } from './bench10-schema.ts';

const n = Number(process.argv[2] ?? 200_000);
const row = bench10Row('bench');
const schema = bench10Envelope('bench', row);
const records = Array.from({ length: 1000 }, (_, i) =>
  envelope('r', null, bench10After(i), bench10Source('bench')),
);
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
