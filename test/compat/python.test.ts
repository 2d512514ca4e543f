/**
 * Debian's Python clients against the broker: python3-confluent-kafka (librdkafka) and
 * python3-kafka (kafka-python, a pure-Python implementation of the protocol). Each produces
 * 20,000 keyed records with headers and consumes them back with a 64 KB per-partition fetch limit
 * (several batches and fetches per partition); keys, values, headers and per-partition order must
 * match. 100,000 records with the default 1 MB limit until December 2026, 2.5 times the CPU.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { runPython } from '../helpers/run.ts';

const RECORDS = 20_000;
let broker: TestBroker;

before(async () => {
  broker = await startBroker({ numPartitions: 4 });
});
after(async () => {
  await broker?.stop();
});

/** Shared check, run inside Python: every record once, headers intact, order kept per partition. */
const VERIFY = `
def verify(msgs, n):
    assert len(msgs) == n, f"consumed {len(msgs)} of {n}"
    seen = set()
    last = {}
    for (partition, offset, key, value, headers) in msgs:
        i = int(value.split(b"-")[1])
        assert key == f"key-{i % 1000}".encode(), (key, i)
        assert value == f"value-{i}-".encode() + b"x" * (i % 40), value
        assert headers == [("source", b"python"), ("index", str(i).encode())], headers
        if key in last:
            assert i > last[key][0] and partition == last[key][1], ("order", key)
        last[key] = (i, partition)
        seen.add(i)
    assert len(seen) == n
    print("OK", len(msgs))
`;

const CONFLUENT = `
import sys
from confluent_kafka import Producer, Consumer
bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
${VERIFY}
p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "compression.type": "lz4"})
for i in range(n):
    while True:
        try:
            p.produce(topic, key=f"key-{i % 1000}", value=f"value-{i}-".encode() + b"x" * (i % 40),
                      headers=[("source", b"python"), ("index", str(i).encode())])
            break
        except BufferError:
            p.poll(0.05)
    if i % 10000 == 0:
        p.poll(0)
assert p.flush(60) == 0
c = Consumer({"bootstrap.servers": bootstrap, "group.id": "py-confluent", "auto.offset.reset": "earliest",
              "enable.auto.commit": False, "max.partition.fetch.bytes": 65536})
c.subscribe([topic])
msgs = []
while len(msgs) < n:
    batch = c.consume(10000, timeout=10)
    if not batch:
        break
    for m in batch:
        assert m.error() is None, m.error()
        msgs.append((m.partition(), m.offset(), m.key(), m.value(), m.headers()))
c.close()
verify(msgs, n)
`;

const KAFKA_PYTHON = `
import sys
from kafka import KafkaProducer, KafkaConsumer
bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
${VERIFY}
p = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, batch_size=65536, compression_type="gzip")
for i in range(n):
    p.send(topic, key=f"key-{i % 1000}".encode(), value=f"value-{i}-".encode() + b"x" * (i % 40),
           headers=[("source", b"python"), ("index", str(i).encode())])
p.flush(60)
p.close()
c = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False,
                  group_id=None, consumer_timeout_ms=10000, max_poll_records=10000,
                  max_partition_fetch_bytes=65536)
msgs = []
for m in c:
    msgs.append((m.partition, m.offset, m.key, m.value, list(m.headers)))
    if len(msgs) >= n:
        break
c.close()
verify(msgs, n)
`;

describe('Python clients', () => {
  it(`python3-confluent-kafka round-trips ${RECORDS} records`, async () => {
    const r = await runPython(CONFLUENT, [broker.bootstrap, 'py-confluent', String(RECORDS)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`OK ${RECORDS}`));
  });

  it(`python3-kafka (kafka-python) round-trips ${RECORDS} records`, async () => {
    const r = await runPython(KAFKA_PYTHON, [broker.bootstrap, 'py-kafka-python', String(RECORDS)], 300_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`OK ${RECORDS}`));
  });
});
