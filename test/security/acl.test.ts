/**
 * ACL authorization (`--authorizer acl`, deny by default, super users) on a SASL listener:
 * a user without ACLs can neither read nor write a topic nor see it (kcat, confluent-kafka,
 * kafka-python); after the admin grants READ with kafka-python's create_acls the user reads but
 * still cannot write. Group and transactional-id checks answer their own error codes, and
 * Describe/DeleteAcls round-trip with PREFIXED patterns and DENY overriding ALLOW.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { run, runPython } from '../helpers/run.ts';
import { AuthzClient, Operation, PatternType, Permission, ResourceType } from './authz-client.ts';

let broker: TestBroker;
let port: number;
let admin: AuthzClient;
const open: AuthzClient[] = [];

async function login(user: string): Promise<AuthzClient> {
  const c = await AuthzClient.login(port, user, `${user}-pw`);
  open.push(c);
  return c;
}

function kcat(user: string, args: string[], input?: string) {
  const auth = ['-X', 'security.protocol=sasl_plaintext', '-X', 'sasl.mechanisms=PLAIN'];
  const creds = ['-X', `sasl.username=${user}`, '-X', `sasl.password=${user}-pw`];
  return run('kcat', ['-b', `127.0.0.1:${port}`, ...auth, ...creds, ...args], {
    timeoutMs: 30_000,
    ...(input === undefined ? {} : { input }),
  });
}

/** confluent-kafka produce as `user`; prints the delivery error name or OK. */
async function pyProduce(user: string, topic: string): Promise<string> {
  const script = `
import sys
from confluent_kafka import Producer
addr, user, topic = sys.argv[1:4]
p = Producer({"bootstrap.servers": addr, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "PLAIN",
              "sasl.username": user, "sasl.password": user + "-pw", "message.timeout.ms": 5000})
errors = []
p.produce(topic, value=b"from " + user.encode(), on_delivery=lambda err, msg: errors.append(err))
p.flush(15)
print(errors[0].name() if errors and errors[0] is not None else "OK")
`;
  const r = await runPython(script, [`127.0.0.1:${port}`, user, topic], 60_000);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

before(async () => {
  broker = await startBroker({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    scramUsers: ['admin:admin-pw', 'alice:alice-pw', 'bob:bob-pw'],
    authorizer: 'acl',
    superUsers: ['User:admin'],
  });
  port = broker.listeners[0]!.port;
  admin = await login('admin');
  const created = await admin.createTopics(['secret', 'team-a', 'team-secret', 'written']);
  assert.deepEqual([...created.values()], [0, 0, 0, 0]);
});
after(async () => {
  for (const c of open) c.close();
  await broker?.stop();
});

describe('ACL authorization', () => {
  it('a user without ACLs cannot read, write or see a topic; after a READ grant it reads but cannot write', async () => {
    const p = await kcat('admin', ['-P', '-t', 'secret'], 'one\ntwo\n');
    assert.equal(p.code, 0, p.stderr);

    const alice = await login('alice');
    assert.equal((await admin.metadata(null)).has('secret'), true, 'the super user sees the topic');
    assert.equal((await alice.metadata(null)).has('secret'), false, 'hidden from "all topics"');
    assert.equal((await alice.metadata(['secret'])).get('secret'), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    assert.equal(await alice.fetch('secret'), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    assert.deepEqual(await alice.describeLogDirs(), {
      errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
      topics: [],
    });
    assert.equal(await pyProduce('alice', 'secret'), 'TOPIC_AUTHORIZATION_FAILED');
    const denied = await kcat('alice', ['-C', '-t', 'secret', '-o', 'beginning', '-e', '-q']);
    assert.equal(denied.stdout, '');
    assert.match(denied.stderr, /authorization failed/i);

    // The admin grants READ with kafka-python's admin client.
    const grant = await runPython(
      `
import sys
from kafka.admin import KafkaAdminClient, ACL, ResourcePattern, ResourceType, ACLOperation, ACLPermissionType
a = KafkaAdminClient(bootstrap_servers=sys.argv[1], security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN",
                     sasl_plain_username="admin", sasl_plain_password="admin-pw")
r = a.create_acls([ACL("User:alice", "*", ACLOperation.READ, ACLPermissionType.ALLOW,
                       ResourcePattern(ResourceType.TOPIC, "secret"))])
assert not r["failed"], r
print("granted", len(r["succeeded"]))
`,
      [`127.0.0.1:${port}`],
    );
    assert.equal(grant.code, 0, grant.stderr);
    assert.match(grant.stdout, /granted 1/);

    // READ implies DESCRIBE: the topic is visible now, and readable, but still not writable.
    assert.equal((await alice.metadata(null)).get('secret'), 0);
    assert.equal(await alice.fetch('secret'), 0);
    const read = await kcat('alice', ['-C', '-t', 'secret', '-o', 'beginning', '-e', '-q']);
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(read.stdout.trim().split('\n'), ['one', 'two']);
    assert.equal(await pyProduce('alice', 'secret'), 'TOPIC_AUTHORIZATION_FAILED');
    // Auto-creation needs CREATE: describing alone does not create.
    assert.equal(
      (await alice.metadata(['brand-new'], true)).get('brand-new'),
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    );
    assert.equal(
      (await admin.metadata(['brand-new'])).get('brand-new'),
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
  });

  it('groups answer GROUP_AUTHORIZATION_FAILED without READ on the group; topics are checked per partition', async () => {
    const alice = await login('alice');
    assert.equal(await alice.joinGroup('g-alice'), ErrorCode.GROUP_AUTHORIZATION_FAILED);
    assert.deepEqual(
      await alice.commit('g-alice', ['secret']),
      new Map([['secret', ErrorCode.GROUP_AUTHORIZATION_FAILED]]),
    );
    assert.equal(
      (await alice.describeGroups(['g-alice'])).get('g-alice'),
      ErrorCode.GROUP_AUTHORIZATION_FAILED,
    );
    assert.equal(
      (await alice.findCoordinators(0, ['g-alice'])).get('g-alice'),
      ErrorCode.GROUP_AUTHORIZATION_FAILED,
    );

    const readGroup = { resourceType: ResourceType.GROUP, resourceName: 'g-alice', principal: 'User:alice' };
    assert.deepEqual(await admin.createAcls([{ ...readGroup, operation: Operation.READ }]), [0]);
    assert.equal((await alice.findCoordinators(0, ['g-alice'])).get('g-alice'), 0);
    // READ on the group and on "secret" (granted above), none on "team-a".
    const committed = await alice.commit('g-alice', ['secret', 'team-a']);
    assert.equal(committed.get('secret'), 0);
    assert.equal(committed.get('team-a'), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    assert.equal((await alice.describeGroups(['g-alice'])).get('g-alice'), 0);
    assert.deepEqual(await alice.listGroups(), ['g-alice'], 'only groups alice may describe');
  });

  it('transactional ids answer TRANSACTIONAL_ID_AUTHORIZATION_FAILED; idempotence needs IDEMPOTENT_WRITE or a WRITE grant', async () => {
    const bob = await login('bob');
    assert.equal(await bob.initProducerId('tx-bob'), ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    assert.equal(
      (await bob.findCoordinators(1, ['tx-bob'])).get('tx-bob'),
      ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    );
    assert.equal(await bob.initProducerId(null), ErrorCode.CLUSTER_AUTHORIZATION_FAILED);

    const txn = { resourceType: ResourceType.TRANSACTIONAL_ID, resourceName: 'tx-', principal: 'User:bob' };
    const write = { resourceType: ResourceType.TOPIC, resourceName: 'written', principal: 'User:bob' };
    const granted = await admin.createAcls([
      { ...txn, patternType: PatternType.PREFIXED, operation: Operation.WRITE },
      { ...write, operation: Operation.WRITE },
    ]);
    assert.deepEqual(granted, [0, 0]);
    assert.equal(await bob.initProducerId('tx-bob'), 0);
    assert.equal(await bob.initProducerId(null), 0, 'WRITE on some topic allows an idempotent producer');
    assert.equal(await pyProduce('bob', 'written'), 'OK');
  });

  it('Describe/DeleteAcls round-trip PREFIXED patterns, and a DENY overrides an ALLOW', async () => {
    const who = 'User:bob';
    const prefixed = { resourceType: ResourceType.TOPIC, resourceName: 'team-', principal: who };
    const literal = { resourceType: ResourceType.TOPIC, resourceName: 'team-secret', principal: who };
    assert.deepEqual(
      await admin.createAcls([
        { ...prefixed, patternType: PatternType.PREFIXED, operation: Operation.READ },
        { ...literal, operation: Operation.READ, permissionType: Permission.DENY },
      ]),
      [0, 0],
    );
    const bob = await login('bob');
    assert.equal(await bob.fetch('team-a'), 0, 'the PREFIXED allow grants team-a');
    assert.equal(await bob.fetch('team-secret'), ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'the DENY wins');

    const all = await admin.describeAcls(who);
    assert.equal(all.errorCode, 0);
    const summary = all.bindings.map(
      (b) => `${b.resourceName}/${b.patternType}/${b.operation}/${b.permissionType}`,
    );
    assert.deepEqual(summary.sort(), [
      `team-/${PatternType.PREFIXED}/${Operation.READ}/${Permission.ALLOW}`,
      `team-secret/${PatternType.LITERAL}/${Operation.READ}/${Permission.DENY}`,
      `tx-/${PatternType.PREFIXED}/${Operation.WRITE}/${Permission.ALLOW}`,
      `written/${PatternType.LITERAL}/${Operation.WRITE}/${Permission.ALLOW}`,
    ]);
    const prefixedOnly = await admin.describeAcls(who, PatternType.PREFIXED);
    assert.deepEqual(prefixedOnly.bindings.map((b) => b.resourceName).sort(), ['team-', 'tx-']);
    const matching = await admin.describeAcls(null, PatternType.MATCH, 'team-secret');
    assert.deepEqual(matching.bindings.map((b) => b.resourceName).sort(), ['team-', 'team-secret']);

    assert.equal((await bob.describeAcls(null)).errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    assert.equal(
      (await bob.deleteAcls({ principal: who, permissionType: Permission.DENY })).errorCode,
      ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    );

    assert.deepEqual(await admin.deleteAcls({ principal: who, permissionType: Permission.DENY }), {
      errorCode: 0,
      removed: 1,
    });
    assert.equal(await bob.fetch('team-secret'), 0, 'without the DENY the PREFIXED allow applies');
    assert.equal((await admin.describeAcls(who)).bindings.length, 3);
  });
});
