/**
 * Tenant isolation (`--tenant NAME:PREFIX`): two tenants with different prefixes each create,
 * produce, consume and run a consumer group under their own prefix, and cannot see or touch each
 * other's topics or groups (Metadata listing, produce, consume, CreateTopics, JoinGroup,
 * DescribeGroups, ListGroups). Clients: confluent-kafka, kcat and the wire client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { run, runPython } from '../helpers/run.ts';
import { AuthzClient, Operation, PatternType, ResourceType } from './authz-client.ts';

let broker: TestBroker;
let port: number;
const open: AuthzClient[] = [];

async function login(user: string): Promise<AuthzClient> {
  const c = await AuthzClient.login(port, user, `${user}-pw`);
  open.push(c);
  return c;
}

/** Produces three records to `topic` and consumes them with group `group`, as `user` (confluent-kafka). */
async function produceAndConsume(user: string, topic: string, group: string) {
  const script = `
import sys
from confluent_kafka import Producer, Consumer
addr, user, topic, group = sys.argv[1:5]
conf = {"bootstrap.servers": addr, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "PLAIN",
        "sasl.username": user, "sasl.password": user + "-pw"}
errors = []
p = Producer({**conf, "message.timeout.ms": 5000})
for i in range(3):
    p.produce(topic, value=f"{user}-{i}".encode(), on_delivery=lambda err, msg: errors.append(err))
p.flush(15)
print("produce", errors[0].name() if errors and errors[0] is not None else "OK")
if errors and errors[0] is not None:
    sys.exit(0)
c = Consumer({**conf, "group.id": group, "auto.offset.reset": "earliest", "session.timeout.ms": 6000})
c.subscribe([topic])
got = []
while len(got) < 3:
    m = c.poll(10)
    if m is None:
        break
    if m.error():
        print("consume", m.error().name())
        break
    got.append(m.value().decode())
c.close()
print("consumed", ",".join(got))
`;
  const r = await runPython(script, [`127.0.0.1:${port}`, user, topic, group], 90_000);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

before(async () => {
  broker = await startBroker({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    scramUsers: ['t1:t1-pw', 't2:t2-pw'],
    tenants: ['t1:team1.', 't2:team2.'],
  });
  port = broker.listeners[0]!.port;
});
after(async () => {
  for (const c of open) c.close();
  await broker?.stop();
});

describe('tenant isolation', () => {
  it('each tenant creates, produces and consumes with a group under its own prefix', async () => {
    const one = await produceAndConsume('t1', 'team1.orders', 'team1.billing');
    assert.match(one, /produce OK/);
    assert.match(one, /consumed t1-0,t1-1,t1-2/);
    const two = await produceAndConsume('t2', 'team2.orders', 'team2.billing');
    assert.match(two, /produce OK/);
    assert.match(two, /consumed t2-0,t2-1,t2-2/);
  });

  it("a tenant sees only its own topics and cannot produce to or consume the other's", async () => {
    const t1 = await login('t1');
    const t2 = await login('t2');
    assert.deepEqual([...(await t1.metadata(null)).keys()], ['team1.orders']);
    assert.deepEqual([...(await t2.metadata(null)).keys()], ['team2.orders']);
    assert.equal(
      (await t1.metadata(['team2.orders'])).get('team2.orders'),
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    );
    assert.equal(await t1.fetch('team2.orders'), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    assert.equal(await t1.fetch('__consumer_offsets'), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    assert.deepEqual(await t1.describeLogDirs(), { errorCode: 0, topics: ['team1.orders'] });

    const out = await produceAndConsume('t1', 'team2.orders', 'team1.spy');
    assert.match(out, /produce TOPIC_AUTHORIZATION_FAILED/);
    const kcat = await run(
      'kcat',
      [
        ...[
          '-b',
          `127.0.0.1:${port}`,
          '-X',
          'security.protocol=sasl_plaintext',
          '-X',
          'sasl.mechanisms=PLAIN',
        ],
        ...['-X', 'sasl.username=t2', '-X', 'sasl.password=t2-pw'],
        ...['-C', '-t', 'team1.orders', '-o', 'beginning', '-e', '-q'],
      ],
      { timeoutMs: 30_000 },
    );
    assert.equal(kcat.stdout, '', 't2 reads nothing of team1.orders');
    assert.match(kcat.stderr, /authorization failed/i);
  });

  it('CreateTopics and auto-creation outside the prefix are refused', async () => {
    const t1 = await login('t1');
    const created = await t1.createTopics(['team1.new', 'team2.intruder', 'global']);
    assert.deepEqual(Object.fromEntries(created), {
      'team1.new': 0,
      'team2.intruder': ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      global: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    });
    assert.equal(
      (await t1.metadata(['team2.auto'], true)).get('team2.auto'),
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    );
    const t2 = await login('t2');
    assert.equal((await t2.metadata(null)).has('team2.intruder'), false, 'nothing was created');
    assert.equal((await t2.metadata(null)).has('team2.auto'), false);
  });

  it("a tenant cannot join, describe or list the other tenant's groups", async () => {
    const t1 = await login('t1');
    const t2 = await login('t2');
    assert.equal(await t2.joinGroup('team1.billing'), ErrorCode.GROUP_AUTHORIZATION_FAILED);
    assert.equal(
      (await t2.describeGroups(['team1.billing'])).get('team1.billing'),
      ErrorCode.GROUP_AUTHORIZATION_FAILED,
    );
    assert.equal(
      (await t2.commit('team1.billing', ['team2.orders'])).get('team2.orders'),
      ErrorCode.GROUP_AUTHORIZATION_FAILED,
    );
    assert.equal((await t1.describeGroups(['team1.billing'])).get('team1.billing'), 0);
    assert.deepEqual(await t1.listGroups(), ['team1.billing']);
    assert.deepEqual(await t2.listGroups(), ['team2.billing']);
  });

  it('DescribeAcls shows a tenant only the bindings on its own prefix', async () => {
    const acl = await startBroker({
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      authorizer: 'acl',
      superUsers: ['User:admin'],
      scramUsers: ['admin:admin-pw', 't1:t1-pw', 't2:t2-pw'],
      tenants: ['t1:team1.', 't2:team2.'],
    });
    const aclPort = acl.listeners[0]!.port;
    const admin = await AuthzClient.login(aclPort, 'admin', 'admin-pw');
    const t1 = await AuthzClient.login(aclPort, 't1', 't1-pw');
    open.push(admin, t1);
    try {
      const created = await admin.createAcls([
        {
          resourceType: ResourceType.TOPIC,
          resourceName: 'team1.orders',
          principal: 'User:alice',
          operation: Operation.READ,
        },
        {
          resourceType: ResourceType.TOPIC,
          resourceName: 'team2.',
          patternType: PatternType.PREFIXED,
          principal: 'User:bob',
          operation: Operation.WRITE,
        },
        {
          resourceType: ResourceType.CLUSTER,
          resourceName: 'kafka-cluster',
          principal: 'User:ops',
          operation: Operation.DESCRIBE,
        },
      ]);
      assert.deepEqual(created, [0, 0, 0]);
      assert.equal((await admin.describeAcls(null)).bindings.length, 3, 'a super user sees every binding');
      const seen = await t1.describeAcls(null);
      assert.equal(seen.errorCode, 0);
      assert.deepEqual(
        seen.bindings.map((b) => [b.resourceName, b.principal]),
        [['team1.orders', 'User:alice']],
      );
    } finally {
      await acl.stop();
    }
  });
});
