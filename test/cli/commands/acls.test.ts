/**
 * `samsa acls`, `acls:create` and `acls:destroy` against a broker with `--authorizer acl` over
 * SASL/SCRAM: bindings created through the CLI take effect for another user, list by resource and
 * principal, KAFKA_PREFIX applies to resource names, destroy removes exactly what matches, and bad
 * arguments or a broker without an authorizer give clear errors with the right exit codes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AclRow } from '../../../src/cli/acl-args.ts';
import { startBroker, type TestBroker } from '../../../src/testing/index.ts';
import { AuthzClient } from '../../security/authz-client.ts';
import { json, samsaInProcess } from '../run-cli.ts';

let broker: TestBroker;
let plain: TestBroker;
let admin: string[];

type Row = AclRow;

before(async () => {
  broker = await startBroker({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    authorizer: 'acl',
    superUsers: ['User:admin'],
    scramUsers: ['admin:admin-pw', 'alice:alice-pw'],
  });
  plain = await startBroker();
  admin = [
    '-b',
    `127.0.0.1:${broker.listeners[0]!.port}`,
    '--sasl-mechanism',
    'SCRAM-SHA-512',
    '--sasl-username',
    'admin',
    '--sasl-password',
    'admin-pw',
  ];
  const created = await samsaInProcess(['topics:create', 'orders', ...admin]);
  assert.equal(created.code, 0, created.stderr);
  assert.equal((await samsaInProcess(['topics:create', 'secret', ...admin])).code, 0);
});
after(async () => {
  await broker?.stop();
  await plain?.stop();
});

describe('samsa acls', () => {
  it('creates bindings that take effect, lists and destroys them', async () => {
    const alice = await AuthzClient.login(broker.listeners[0]!.port, 'alice', 'alice-pw');
    try {
      assert.deepEqual([...(await alice.metadata(['orders'])).values()], [29], 'no ACL yet: denied');

      const created = await samsaInProcess([
        'acls:create',
        '--principal',
        'alice',
        '--operation',
        'read',
        '--operation',
        'describe',
        '--topic',
        'orders',
        '--json',
        ...admin,
      ]);
      assert.equal(created.code, 0, created.stderr);
      assert.deepEqual(
        json<Row[]>(created).map((r) => [
          r.resourceType,
          r.resourceName,
          r.principal,
          r.operation,
          r.permission,
        ]),
        [
          ['TOPIC', 'orders', 'User:alice', 'READ', 'ALLOW'],
          ['TOPIC', 'orders', 'User:alice', 'DESCRIBE', 'ALLOW'],
        ],
      );
      const group = await samsaInProcess([
        'acls:create',
        '--principal',
        'User:alice',
        '--operation',
        'read',
        '--group',
        'billing-',
        '--prefixed',
        ...admin,
      ]);
      assert.equal(group.code, 0, group.stderr);
      assert.match(group.stdout, /Created 1 ACL binding/);

      const seen = await alice.metadata(['orders', 'secret']);
      assert.equal(seen.get('orders'), 0, 'DESCRIBE granted through the CLI');
      assert.equal(seen.get('secret'), 29, 'other topics stay denied');

      const all = json<Row[]>(await samsaInProcess(['acls', '--json', ...admin]));
      assert.equal(all.length, 3);
      const onOrders = json<Row[]>(await samsaInProcess(['acls', '--topic', 'orders', '--json', ...admin]));
      assert.deepEqual(onOrders.map((r) => r.operation).sort(), ['DESCRIBE', 'READ']);
      const table = await samsaInProcess(['acls', '--principal', 'User:alice', ...admin]);
      assert.equal(table.code, 0);
      assert.match(table.stdout, /GROUP\s+billing-\s+PREFIXED\s+User:alice\s+\*\s+READ\s+ALLOW/);

      const removed = await samsaInProcess([
        'acls:destroy',
        '--topic',
        'orders',
        '--principal',
        'User:alice',
        '--operation',
        'describe',
        '--json',
        ...admin,
      ]);
      assert.equal(removed.code, 0, removed.stderr);
      assert.deepEqual(
        json<{ deleted: Row[] }>(removed).deleted.map((r) => r.operation),
        ['DESCRIBE'],
      );
      assert.equal(json<Row[]>(await samsaInProcess(['acls', '--json', ...admin])).length, 2);
      const none = await samsaInProcess(['acls:destroy', '--topic', 'nothing-here', ...admin]);
      assert.equal(none.code, 0);
      assert.match(none.stdout, /No matching ACL bindings/);
    } finally {
      alice.close();
    }
  });

  it('adds KAFKA_PREFIX to resource names and strips it in output', async () => {
    const env = { KAFKA_PREFIX: 'acme.' };
    const created = await samsaInProcess(
      [
        'acls:create',
        '--principal',
        'User:bob',
        '--operation',
        'write',
        '--topic',
        'events',
        '--json',
        ...admin,
      ],
      { env },
    );
    assert.equal(created.code, 0, created.stderr);
    const raw = json<Row[]>(await samsaInProcess(['acls', '--principal', 'User:bob', '--json', ...admin]));
    assert.deepEqual(
      raw.map((r) => r.resourceName),
      ['acme.events'],
      'on the wire the name carries the prefix',
    );
    const prefixed = json<Row[]>(
      await samsaInProcess(['acls', '--principal', 'User:bob', '--json', ...admin], { env }),
    );
    assert.deepEqual(
      prefixed.map((r) => r.resourceName),
      ['events'],
    );
  });

  it('rejects bad arguments with usage errors and reports a broker without an authorizer', async () => {
    const noPrincipal = await samsaInProcess([
      'acls:create',
      '--operation',
      'read',
      '--topic',
      'orders',
      ...admin,
    ]);
    assert.equal(noPrincipal.code, 2);
    assert.match(noPrincipal.stderr, /missing --principal/);
    const badOp = await samsaInProcess([
      'acls:create',
      '--principal',
      'a',
      '--operation',
      'fly',
      '--topic',
      'x',
      ...admin,
    ]);
    assert.equal(badOp.code, 2);
    assert.match(badOp.stderr, /unknown operation "fly"/);
    const twoResources = await samsaInProcess([
      'acls:create',
      '--principal',
      'a',
      '--operation',
      'read',
      '--topic',
      'x',
      '--group',
      'y',
      ...admin,
    ]);
    assert.equal(twoResources.code, 2);
    assert.match(twoResources.stderr, /give one of --topic/);
    const noResource = await samsaInProcess(['acls:destroy', '--principal', 'a', ...admin]);
    assert.equal(noResource.code, 2);
    assert.match(noResource.stderr, /missing resource/);
    const disabled = await samsaInProcess(['acls', '-b', plain.bootstrap]);
    assert.equal(disabled.code, 1);
    assert.match(disabled.stderr, /SECURITY_DISABLED/);
  });
});
