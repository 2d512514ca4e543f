/**
 * Issue 3, done-when 5 (KIP-345): a static member (group.instance.id) that crashes and restarts
 * within its session timeout gets its partitions back without a rebalance of the others: the other
 * member sees no revoke/assign, the group keeps its generation (read from the group record the
 * coordinator stores in `__consumer_offsets`), only the restarted member's id changes. A second
 * process using the same instance id fences the first. The same restart with @platformatic/kafka
 * (JoinGroup v9+, where a returning static leader is told to skip the assignment) as a second client.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { consumerConfig, PyConsumer, produce, storedGroup, waitFor } from './helpers.ts';

const SESSION_MS = 4000;
/**
 * The @platformatic/kafka member's session timeout: its restart must come back within it, and a
 * Node process loading the client can take more than 4 s to do so on a loaded machine. Nothing
 * waits for this session to expire, so a long one costs no time.
 */
const NODE_SESSION_MS = 30_000;
const CHILD = fileURLToPath(new URL('./platformatic-static-member.ts', import.meta.url));
let broker: TestBroker;

before(async () => {
  broker = await startBroker({
    numPartitions: 6,
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 1000,
  });
  await produce(broker.bootstrap, 'static', 0, 600);
});
after(async () => {
  await broker?.stop();
});

function staticMember(name: string, group: string, instanceId: string): PyConsumer {
  const config = consumerConfig(broker.bootstrap, group, {
    'group.instance.id': instanceId,
    'session.timeout.ms': SESSION_MS,
  });
  return new PyConsumer(name, config, { topics: ['static'] });
}

it('a static member restarted within its session timeout gets its partitions back without a rebalance', async () => {
  const group = 'static-group';
  const a = staticMember('a', group, 'instance-a');
  const b = staticMember('b', group, 'instance-b');
  let a2: PyConsumer | undefined;
  try {
    const [pa, pb] = await Promise.all([a.waitAssigned(3, 20_000), b.waitAssigned(3, 20_000)]);
    assert.deepEqual([...pa, ...pb].sort(), [0, 1, 2, 3, 4, 5]);
    const before = await waitFor(
      () => {
        const g = storedGroup(broker, group);
        return g?.members.length === 2 ? g : undefined;
      },
      60_000,
      'the group record with both members',
    );
    const idOf = (g: typeof before, instance: string) =>
      g.members.find((m) => m.groupInstanceId === instance)?.memberId;
    const bEvents = b.rebalanceEvents().length;

    const killedAt = Date.now();
    await a.kill();
    a2 = staticMember('a2', group, 'instance-a');
    const back = await a2.waitAssigned(3, SESSION_MS);
    const elapsed = Date.now() - killedAt;
    assert.deepEqual(back, pa, 'the restarted member gets the same partitions');
    assert.ok(elapsed < SESSION_MS, `back after ${elapsed} ms`);

    const after = storedGroup(broker, group);
    assert.ok(after);
    assert.equal(after.generation, before.generation, 'no new generation');
    assert.equal(idOf(after, 'instance-b'), idOf(before, 'instance-b'), 'b keeps its member id');
    assert.notEqual(idOf(after, 'instance-a'), idOf(before, 'instance-a'), 'a has a new member id');
    // Past the old member's session timeout nothing happens either: its id was replaced, not expired.
    await waitFor(
      () => Date.now() - killedAt > SESSION_MS + 500,
      SESSION_MS + 1000,
      'the old session to pass',
    );
    assert.equal(
      b.rebalanceEvents().length,
      bEvents,
      `b saw no rebalance: ${JSON.stringify(b.rebalanceEvents().slice(bEvents))}`,
    );
    assert.deepEqual(
      a2.rebalanceEvents().map((e) => e.ev),
      ['assign'],
      'a2 assigned once',
    );
    assert.equal(storedGroup(broker, group)?.generation, before.generation);
    assert.deepEqual(b.errors(), []);
  } finally {
    await Promise.allSettled([a.kill(), b.kill(), a2?.kill()]);
  }
});

it('a second process with the same group.instance.id fences the first', async () => {
  const group = 'static-fence-group';
  const first = staticMember('first', group, 'instance-x');
  let second: PyConsumer | undefined;
  try {
    await first.waitAssigned(6, 20_000);
    second = staticMember('second', group, 'instance-x');
    await second.waitAssigned(6, 20_000);
    await waitFor(
      () => first.errors().some((e) => /FENCED_INSTANCE_ID|fenced/i.test(e)),
      60_000,
      `the first member to be fenced (errors ${JSON.stringify(first.errors())})`,
    );
  } finally {
    await Promise.allSettled([first.kill(), second?.kill()]);
  }
});

/** A @platformatic/kafka static member in a child process; `joins` are its JoinGroup results. */
class NodeStaticMember {
  readonly joins: { generation: number; leader: boolean; partitions: number[] }[] = [];
  readonly errors: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<unknown>;

  constructor(instanceId: string, group: string) {
    const args = [CHILD, broker.bootstrap, instanceId, group, 'static', String(NODE_SESSION_MS)];
    this.child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const e = JSON.parse(line) as {
        ev: string;
        error?: string;
        generation: number;
        leader: boolean;
        partitions: number[];
      };
      if (e.ev === 'join') this.joins.push(e);
      else this.errors.push(e.error ?? line);
    });
    this.exited = new Promise((resolve) => this.child.on('close', resolve));
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

it('@platformatic/kafka (JoinGroup v9+): the restarted static leader gets its partitions back without a rebalance', async () => {
  const group = 'static-node-group';
  const leader = new NodeStaticMember('node-a', group);
  let follower: NodeStaticMember | undefined;
  let restarted: NodeStaticMember | undefined;
  try {
    await waitFor(() => leader.joins.length > 0, 60_000, 'the first member to join');
    follower = new NodeStaticMember('node-b', group);
    const settled = await waitFor(
      () => {
        const [l, f] = [leader.joins.at(-1), follower?.joins.at(-1)];
        return l && f && l.generation === f.generation && l.partitions.length === 3 ? { l, f } : undefined;
      },
      60_000,
      'both members in one generation',
    );
    assert.ok(settled.l.leader, 'the first member leads');
    const followerJoins = follower.joins.length;

    await leader.kill();
    restarted = new NodeStaticMember('node-a', group);
    const back = await waitFor(() => restarted?.joins[0], NODE_SESSION_MS, 'the restarted leader to join');
    assert.deepEqual(back, settled.l, 'same generation, leadership and partitions');
    assert.equal(storedGroup(broker, group)?.generation, settled.l.generation, 'stored generation unchanged');
    assert.equal(follower.joins.length, followerJoins, 'the follower did not rejoin');
    assert.deepEqual([...follower.errors, ...restarted.errors], []);
  } finally {
    await Promise.allSettled([leader.kill(), follower?.kill(), restarted?.kill()]);
  }
});
