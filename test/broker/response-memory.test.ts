/**
 * Memory held for unsent responses is bounded (response-memory.ts): four raw connections each
 * pipeline 100 Fetch requests (max 50 MB) over a 4 MB topic and never read. Without the bound the
 * broker reads every answer (about 1.6 GB); with it, the accounted bytes never pass
 * queued.max.response.bytes plus one batch per connection, reading stops on those sockets, a normal
 * producer (python3-confluent-kafka) and a normal consumer (kcat) keep working meanwhile, and the
 * accounting returns to 0 once the sockets close.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, it } from 'node:test';
import { fetchFrame as rawFetchFrame } from '../../bench/kafka/frames.ts';
import { buildRecordBatch } from '../../src/protocol/records/batch.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { run, runPython } from '../helpers/run.ts';
import { autoCreateTopic, produceBatch, WireClient } from './kafka-wire.ts';

const TOPIC = 'big-topic';
const BATCHES = 64;
const RECORDS_PER_BATCH = 60;
const RECORD_BYTES = 1000;
const LIMIT = 3 * 1024 * 1024;
const PER_CONNECTION = 1024 * 1024;
const READERS = 4;
const PIPELINED = 100;

let broker: TestBroker;
before(async () => {
  broker = await startBroker({
    queuedMaxResponseBytes: LIMIT,
    queuedMaxResponseBytesPerConnection: PER_CONNECTION,
  });
  const c = await WireClient.open(broker.port);
  await autoCreateTopic(c, TOPIC);
  for (let b = 0; b < BATCHES; b++) {
    const records = Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({
      key: null,
      value: Buffer.alloc(RECORD_BYTES, (b * RECORDS_PER_BATCH + i) % 251),
    }));
    const p = await produceBatch(c, TOPIC, buildRecordBatch({ records }), 1);
    assert.equal(p.errorCode, 0);
  }
  c.close();
});
after(async () => {
  await broker?.stop();
});

function fetchFrame(correlationId: number): Buffer {
  const max = 50 * 1024 * 1024;
  return rawFetchFrame(
    [{ topic: TOPIC, partition: 0, offset: 0n, partitionMaxBytes: max }],
    { maxWaitMs: 500, minBytes: 1, maxBytes: max },
    correlationId,
  );
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const PRODUCE = `
import sys
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1], 'acks': 'all', 'message.timeout.ms': 20000})
failed = []
def report(err, msg):
    if err is not None:
        failed.append(str(err))
for i in range(200):
    p.produce('normal-producer', value=('value-%d' % i).encode())
left = p.flush(30)
print('left=%d failed=%d' % (left, len(failed)))
sys.exit(1 if left or failed else 0)
`;

it('bounds memory for clients that never read, keeps serving others, and releases it on close', async () => {
  const baseline = broker.broker.connectionCount;
  const sockets: Socket[] = [];
  for (let i = 0; i < READERS; i++) {
    const s = connect(broker.port, '127.0.0.1');
    await new Promise<void>((resolve) => s.once('connect', resolve));
    s.on('error', () => {});
    s.pause(); // never reads: the broker's writes back up into the kernel, then into the broker
    for (let id = 1; id <= PIPELINED; id++) s.write(fetchFrame(id));
    sockets.push(s);
  }
  // The connections back up until the broker holds its bound and stops reading them.
  await waitFor(() => broker.broker.responseMemory.bytes >= LIMIT, 60_000, 'the bound to be reached');

  // Meanwhile a normal producer and a normal consumer (one batch per Fetch at worst) keep working.
  const produced = await runPython(PRODUCE, [broker.bootstrap], 60_000);
  assert.equal(produced.code, 0, `producer: ${produced.stdout} ${produced.stderr}`);
  const consumed = await run(
    'kcat',
    ['-C', '-b', broker.bootstrap, '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%o\n'],
    {
      timeoutMs: 60_000,
    },
  );
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal(consumed.stdout.trim().split('\n').length, BATCHES * RECORDS_PER_BATCH);

  // Bounded: the broker-wide bound plus at most one batch for each connection holding nothing else.
  const { peakBytes } = broker.broker.responseMemory;
  const oneBatch = RECORDS_PER_BATCH * (RECORD_BYTES + 16) + 128;
  assert.ok(
    peakBytes <= LIMIT + (READERS + 2) * oneBatch,
    `peak ${peakBytes} bytes held for unsent responses, bound ${LIMIT}`,
  );
  assert.ok(broker.broker.responseMemory.bytes > 0, 'the readers still have answers queued');

  // Closing the sockets gives everything back, and the requests still buffered on them are dropped,
  // not answered for nobody.
  const countedBefore = broker.broker.responseMemory.countedBytes;
  for (const s of sockets) s.destroy();
  await waitFor(() => broker.broker.connectionCount <= baseline, 10_000, 'the connections to close');
  await waitFor(() => broker.broker.responseMemory.bytes === 0, 10_000, 'the accounting to return to 0');
  const readAfterClose = broker.broker.responseMemory.countedBytes - countedBefore;
  assert.ok(readAfterClose < PER_CONNECTION, `${readAfterClose} bytes read for closed connections`);
});
