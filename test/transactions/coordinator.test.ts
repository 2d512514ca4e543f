/** The transaction coordinator state machine on a fake clock with in-memory log and markers. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FakeClock } from '../../src/coordinator/fake-clock.ts';
import {
  MemoryBlockStore,
  ProducerIdManager,
  type TopicPartition,
  TransactionCoordinator,
  type TransactionCoordinatorConfig,
} from '../../src/coordinator/transactions/index.ts';
import type { StoredRecord } from '../../src/coordinator/types.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';

function setup(
  blocks = new MemoryBlockStore(),
  log: StoredRecord[] = [],
  config: Partial<TransactionCoordinatorConfig> = {},
) {
  const clock = new FakeClock(1_000);
  const markers: { pid: number; epoch: number; commit: boolean; partitions: TopicPartition[] }[] = [];
  const coordinator = new TransactionCoordinator({
    store: { append: async (r) => void log.push(...r) },
    markers: {
      writeMarkers: async (pid, epoch, commit, partitions) =>
        void markers.push({ pid, epoch, commit, partitions }),
    },
    producerIds: new ProducerIdManager(blocks),
    clock,
    config: { abortTimedOutIntervalMs: 100, ...config },
  });
  return { clock, markers, coordinator, log, blocks };
}
const flush = () => new Promise((r) => setImmediate(r));

it('init, add partitions, commit and abort write markers; retries and wrong states answer as Kafka', async () => {
  const { coordinator: c, markers } = setup();
  const init = await c.initProducerId('t1', 60_000, null);
  assert.equal(init.errorCode, ErrorCode.NONE);
  assert.equal(init.producerEpoch, 0);
  const pid = init.producerId;
  assert.equal(await c.addPartitions('t1', pid, 0, [{ topic: 'a', partition: 0 }]), ErrorCode.NONE);
  assert.equal(c.get('t1')?.state, 'Ongoing');
  assert.equal((await c.endTxn('t1', pid, 0, true)).errorCode, ErrorCode.NONE);
  assert.deepEqual(markers.at(-1), {
    pid,
    epoch: 0,
    commit: true,
    partitions: [{ topic: 'a', partition: 0 }],
  });
  assert.equal(c.get('t1')?.state, 'CompleteCommit');
  assert.equal((await c.endTxn('t1', pid, 0, true)).errorCode, ErrorCode.NONE, 'retried commit');
  assert.equal((await c.endTxn('t1', pid, 0, false)).errorCode, ErrorCode.INVALID_TXN_STATE);
  assert.equal((await c.endTxn('t1', pid + 1, 0, true)).errorCode, ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  assert.equal(
    await c.addPartitions('t1', pid, 1, [{ topic: 'a', partition: 0 }]),
    ErrorCode.PRODUCER_FENCED,
  );
  assert.equal(
    (await c.initProducerId('t1', 900_001, null)).errorCode,
    ErrorCode.INVALID_TRANSACTION_TIMEOUT,
  );
});

it('a new instance fences the old one: its open transaction is aborted with a bumped epoch', async () => {
  const { coordinator: c, markers } = setup();
  const first = await c.initProducerId('t2', 60_000, null);
  await c.addPartitions('t2', first.producerId, 0, [{ topic: 'a', partition: 1 }]);
  const second = await c.initProducerId('t2', 60_000, null);
  assert.equal(second.producerId, first.producerId);
  assert.equal(second.producerEpoch, 2);
  assert.deepEqual(markers.at(-1), {
    pid: first.producerId,
    epoch: 1,
    commit: false,
    partitions: [{ topic: 'a', partition: 1 }],
  });
  assert.equal(
    await c.addPartitions('t2', first.producerId, 0, [{ topic: 'a', partition: 1 }]),
    ErrorCode.PRODUCER_FENCED,
  );
  // KIP-360: a request naming another producer id is fenced.
  assert.equal(
    (await c.initProducerId('t2', 60_000, { producerId: 12345, epoch: 0 })).errorCode,
    ErrorCode.PRODUCER_FENCED,
  );
});

it('transactions past their timeout are aborted on the clock; producer ids never repeat across restarts', async () => {
  const blocks = new MemoryBlockStore();
  const { coordinator: c, clock, markers, log } = setup(blocks);
  const init = await c.initProducerId('t3', 500, null);
  await c.addPartitions('t3', init.producerId, 0, [{ topic: 'b', partition: 0 }]);
  const step = async (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(100);
      for (let i = 0; i < 5; i++) await flush();
    }
  };
  await step(400);
  assert.equal(c.get('t3')?.state, 'Ongoing');
  await step(200);
  assert.equal(c.get('t3')?.state, 'CompleteAbort');
  assert.deepEqual(markers.at(-1), {
    pid: init.producerId,
    epoch: 1,
    commit: false,
    partitions: [{ topic: 'b', partition: 0 }],
  });
  c.shutdown();
  // Restart: the state comes back from the log, and new ids come from a fresh block.
  const restarted = setup(blocks, []);
  await restarted.coordinator.load(log);
  assert.equal(restarted.coordinator.get('t3')?.state, 'CompleteAbort');
  assert.equal(restarted.coordinator.get('t3')?.producerEpoch, 1);
  const idem = await restarted.coordinator.initProducerId(null, 0, null);
  assert.ok(idem.producerId > init.producerId);
  restarted.coordinator.shutdown();
});

it('forgets transactional ids idle past transactional.id.expiration.ms, never one in a transaction', async () => {
  const log: StoredRecord[] = [];
  const expiry = { transactionalIdExpirationMs: 1_000, removeExpiredIntervalMs: 250 };
  const { clock, coordinator: c } = setup(new MemoryBlockStore(), log, expiry);
  const idle = await c.initProducerId('idle', 60_000, null);
  const busy = await c.initProducerId('busy', 60_000, null);
  assert.equal(await c.addPartitions('busy', busy.producerId, 0, [{ topic: 'a', partition: 0 }]), 0);
  clock.advance(750);
  for (let i = 0; i < 5; i++) await flush();
  assert.ok(c.get('idle'), 'not idle long enough yet');
  clock.advance(250);
  for (let i = 0; i < 5; i++) await flush();
  assert.equal(c.get('idle'), undefined, 'removed by the periodic pass');
  assert.equal(c.get('busy')?.state, 'Ongoing', 'an open transaction is never expired');
  const tombstones = log.filter((r) => r.value === null);
  assert.equal(tombstones.length, 1, 'a tombstone went to __transaction_state');

  // A coordinator replaying the log does not bring the id back; a new InitProducerId starts over.
  const again = setup(new MemoryBlockStore(), [], expiry);
  await again.coordinator.load(log);
  assert.equal(again.coordinator.get('idle'), undefined);
  assert.equal(again.coordinator.get('busy')?.state, 'Ongoing');
  const fresh = await c.initProducerId('idle', 60_000, null);
  assert.equal(fresh.errorCode, 0);
  assert.notEqual(fresh.producerId, idle.producerId, 'a new producer id');
  c.shutdown();
  again.coordinator.shutdown();
});
