/**
 * Issue 3, done-when 2: a member that dies without LeaveGroup (SIGKILL of a librdkafka consumer
 * process) loses its partitions to the survivor once its session times out — not before; a member
 * that leaves cleanly (close() sends LeaveGroup) triggers a rebalance at once, well under the
 * session timeout.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { consumerConfig, PyConsumer, produce } from './helpers.ts';

const SESSION_MS = 4000;
const HEARTBEAT_MS = 300;
let broker: TestBroker;

before(async () => {
  broker = await startBroker({
    numPartitions: 6,
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 1000,
  });
  await produce(broker.bootstrap, 'failover', 0, 600);
});
after(async () => {
  await broker?.stop();
});

async function twoMembers(group: string): Promise<[PyConsumer, PyConsumer]> {
  const config = consumerConfig(broker.bootstrap, group, {
    'session.timeout.ms': SESSION_MS,
    'heartbeat.interval.ms': HEARTBEAT_MS,
  });
  const a = new PyConsumer(`${group}-a`, config, { topics: ['failover'] });
  const b = new PyConsumer(`${group}-b`, config, { topics: ['failover'] });
  await Promise.all([a.waitAssigned(3, 20_000), b.waitAssigned(3, 20_000)]);
  return [a, b];
}

it('a killed member (no LeaveGroup) loses its partitions to the survivor after the session timeout', async (t) => {
  const [a, b] = await twoMembers('kill-group');
  try {
    const killedAt = Date.now();
    await a.kill();
    const all = await b.waitAssigned(6, SESSION_MS + 10_000);
    assert.deepEqual(all, [0, 1, 2, 3, 4, 5]);
    const assignedAt = b.events.at(-1)!.at;
    const elapsed = assignedAt - killedAt;
    t.diagnostic(`partitions moved ${elapsed} ms after the kill (session timeout ${SESSION_MS} ms)`);
    // The session deadline is counted from a's last heartbeat, at most one interval before the kill.
    assert.ok(
      elapsed >= SESSION_MS - HEARTBEAT_MS - 200,
      `partitions moved after ${elapsed} ms, before the ${SESSION_MS} ms session timeout`,
    );
    assert.ok(elapsed < SESSION_MS + 3000, `partitions moved only after ${elapsed} ms`);
    assert.deepEqual(b.errors(), []);
  } finally {
    await Promise.allSettled([a.kill(), b.kill()]);
  }
});

it('a member that leaves cleanly triggers an immediate rebalance', async (t) => {
  const [a, b] = await twoMembers('leave-group');
  try {
    const closing = Date.now();
    await a.close();
    const all = await b.waitAssigned(6, SESSION_MS);
    assert.deepEqual(all, [0, 1, 2, 3, 4, 5]);
    const elapsed = b.events.at(-1)!.at - closing;
    t.diagnostic(`partitions moved ${elapsed} ms after close() (session timeout ${SESSION_MS} ms)`);
    assert.ok(
      elapsed < SESSION_MS / 2,
      `rebalance after a clean leave took ${elapsed} ms (session timeout ${SESSION_MS} ms)`,
    );
    assert.deepEqual(b.errors(), []);
  } finally {
    await Promise.allSettled([a.kill(), b.kill()]);
  }
});
