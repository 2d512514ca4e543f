/**
 * What samsa/registry's Avro serde adds to avsc per record: a 100-byte record (encoded size) is
 * serialized and deserialized `records` times with avsc alone, with the serde's synchronous path
 * (schema id cached: wire prefix, id lookup) and with its async `serialize`/`deserialize` (what
 * callers await). Best of `rounds` for each, in ns per record; the overhead is serde minus avsc.
 */
import avsc from 'avsc';
import { SchemaDeserializer, SchemaSerializer } from '../../src/registry/index.ts';

export const RECORD_SCHEMA = {
  type: 'record',
  name: 'BenchEvent',
  namespace: 'bench',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'user', type: 'string' },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['VIEW', 'CLICK', 'BUY'] } },
    { name: 'amount', type: 'double' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

export const RECORD = {
  id: 123456789,
  user: 'user-00042-abcdefgh',
  kind: 'CLICK',
  amount: 1234.5,
  tags: ['alpha', 'beta', 'gamma', 'delta'],
  note: 'a short note about this event, padded',
};

export interface SerdeOverhead {
  encodedBytes: number;
  avscEncodeNs: number;
  serializeSyncNs: number;
  serializeAsyncNs: number;
  avscDecodeNs: number;
  deserializeSyncNs: number;
  deserializeAsyncNs: number;
}

function best(rounds: number, n: number, run: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    run();
    min = Math.min(min, Number(process.hrtime.bigint() - t0) / n);
  }
  return min;
}

async function bestAsync(rounds: number, n: number, run: () => Promise<void>): Promise<number> {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    await run();
    min = Math.min(min, Number(process.hrtime.bigint() - t0) / n);
  }
  return min;
}

export async function serdeOverhead(o: {
  url: string;
  records: number;
  rounds: number;
}): Promise<SerdeOverhead> {
  const type = avsc.Type.forSchema(RECORD_SCHEMA as avsc.Schema);
  const serializer = new SchemaSerializer({ registry: o.url, format: 'avro', schema: RECORD_SCHEMA });
  const deserializer = new SchemaDeserializer({ registry: o.url });
  const wire = (await serializer.serialize('bench-serde', RECORD))!;
  await deserializer.deserialize('bench-serde', wire);
  const n = o.records;
  let sink = 0;
  const plain = type.toBuffer(RECORD);
  const avscEncodeNs = best(o.rounds, n, () => {
    for (let i = 0; i < n; i++) sink += type.toBuffer(RECORD).length;
  });
  const serializeSyncNs = best(o.rounds, n, () => {
    for (let i = 0; i < n; i++) sink += serializer.serializeSync('bench-serde', RECORD)!.length;
  });
  const serializeAsyncNs = await bestAsync(o.rounds, n, async () => {
    for (let i = 0; i < n; i++) sink += (await serializer.serialize('bench-serde', RECORD))!.length;
  });
  const avscDecodeNs = best(o.rounds, n, () => {
    for (let i = 0; i < n; i++) sink += (type.fromBuffer(plain) as { id: number }).id;
  });
  const deserializeSyncNs = best(o.rounds, n, () => {
    for (let i = 0; i < n; i++) sink += (deserializer.deserializeSync(wire) as { id: number }).id;
  });
  const deserializeAsyncNs = await bestAsync(o.rounds, n, async () => {
    for (let i = 0; i < n; i++)
      sink += ((await deserializer.deserialize('bench-serde', wire)) as { id: number }).id;
  });
  if (sink === 0) throw new Error('nothing measured');
  return {
    encodedBytes: plain.length,
    avscEncodeNs,
    serializeSyncNs,
    serializeAsyncNs,
    avscDecodeNs,
    deserializeSyncNs,
    deserializeAsyncNs,
  };
}
