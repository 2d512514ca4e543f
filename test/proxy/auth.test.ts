/**
 * HTTP basic auth checked against the broker's SCRAM users, the proxy acting as that user: a broker
 * with a SASL listener, ACLs (deny by default) and a super user. No or wrong credentials get 401;
 * the super user produces; a user without ACLs is refused by the broker's ACLs (403 40301) and
 * does not see the topic; after a WRITE grant the same user produces, and another user still cannot.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AclOperations,
  AclPermissionTypes,
  Admin,
  ResourcePatternTypes,
  ResourceTypes,
} from '@platformatic/kafka';
import { type RunningProxy, startProxy } from '../../src/proxy/index.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { createTopics, http, JSON_V2, V2 } from './helpers.ts';

let broker: TestBroker;
let proxy: RunningProxy;
let url: string;
let bootstrap: string;
const adminSasl = { mechanism: 'SCRAM-SHA-256' as const, username: 'admin', password: 'admin-pw' };

before(async () => {
  broker = await startBroker({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    scramUsers: ['admin:admin-pw', 'alice:alice-pw', 'bob:bob-pw'],
    authorizer: 'acl',
    superUsers: ['User:admin'],
  });
  bootstrap = `127.0.0.1:${broker.listeners[0]!.port}`;
  await createTopics(bootstrap, ['secret', 'team-a'], 1, adminSasl);
  proxy = await startProxy({
    connection: { bootstrapBrokers: [bootstrap] },
    port: 0,
    authentication: 'basic',
    saslMechanism: 'SCRAM-SHA-256',
  });
  url = proxy.url;
});
after(async () => {
  await proxy?.stop();
  await broker?.stop();
});

const produce = (auth: string | undefined, topic: string) =>
  http(url, 'POST', `/topics/${topic}`, {
    type: JSON_V2,
    body: { records: [{ value: { by: auth } }] },
    ...(auth ? { auth } : {}),
  });

describe('basic auth as the Kafka user', () => {
  it('no credentials or a wrong password: 401 with a Basic challenge', async () => {
    const none = await http(url, 'GET', '/topics');
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Basic realm="samsa-proxy"');
    assert.equal((none.json as { error_code: number }).error_code, 401);
    const wrong = await http(url, 'GET', '/topics', { auth: 'alice:not-her-password' });
    assert.equal(wrong.status, 401);
    const unknown = await http(url, 'GET', '/topics', { auth: 'mallory:x' });
    assert.equal(unknown.status, 401);
  });

  it('the ACLs decide: the super user writes, a user without ACLs is refused and sees nothing, a grant lets her write', async () => {
    const byAdmin = await produce('admin:admin-pw', 'secret');
    assert.equal(byAdmin.status, 200, byAdmin.text);

    const listed = await http(url, 'GET', '/topics', { auth: 'alice:alice-pw' });
    assert.equal(listed.status, 200);
    assert.equal(
      (listed.json as string[]).includes('secret'),
      false,
      'a topic alice may not describe is hidden',
    );

    const refused = await produce('alice:alice-pw', 'secret');
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.json, {
      error_code: 40301,
      message: 'Not authorized to access topics: [secret]',
    });

    await http(url, 'POST', '/consumers/alice-group', {
      type: V2,
      auth: 'alice:alice-pw',
      body: { name: 'a', format: 'json' },
    });
    const subscribe = await http(url, 'POST', '/consumers/alice-group/instances/a/subscription', {
      type: V2,
      auth: 'alice:alice-pw',
      body: { topics: ['secret'] },
    });
    assert.equal(subscribe.status, 403);
    // Another user cannot reach alice's consumer instance.
    const foreign = await http(url, 'GET', '/consumers/alice-group/instances/a/subscription', {
      auth: 'bob:bob-pw',
    });
    assert.equal((foreign.json as { error_code: number }).error_code, 40403);

    const admin = new Admin({ clientId: 'grant', bootstrapBrokers: [bootstrap], sasl: adminSasl });
    try {
      await admin.createAcls({
        creations: [ResourceTypes.TOPIC].map((resourceType) => ({
          resourceType,
          resourceName: 'team-a',
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: 'User:alice',
          host: '*',
          operation: AclOperations.WRITE,
          permissionType: AclPermissionTypes.ALLOW,
        })),
      });
    } finally {
      await admin.close();
    }
    const granted = await produce('alice:alice-pw', 'team-a');
    assert.equal(granted.status, 200, granted.text);
    const offsets = (granted.json as { offsets: { offset: number; error_code: null }[] }).offsets;
    assert.deepEqual([offsets[0]!.offset, offsets[0]!.error_code], [0, null]);
    const bob = await produce('bob:bob-pw', 'team-a');
    assert.equal(bob.status, 403);
  });
});
