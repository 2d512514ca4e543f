/**
 * Quotas and tenants over SASL/SCRAM: a tenant (`--tenant alice:team-a.`) may neither describe nor
 * alter quotas (CLUSTER_AUTHORIZATION_FAILED), an operator gives the tenant one quota as a whole
 * (its user), and everything the tenant produces, under any client id, counts against it while
 * another user stays unthrottled.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Admin, Producer, stringSerializers } from '@platformatic/kafka';
import { startBroker, type TestBroker } from '../../../src/testing/index.ts';

let broker: TestBroker;
const sasl = (username: string, password: string) => ({
  mechanism: 'SCRAM-SHA-256' as const,
  username,
  password,
});
let operator: Admin;

before(async () => {
  broker = await startBroker({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    scramUsers: ['admin:admin-pw', 'alice:alice-pw'],
    tenants: ['alice:team-a.'],
  });
  operator = new Admin({
    clientId: 'operator',
    bootstrapBrokers: [broker.bootstrap],
    sasl: sasl('admin', 'admin-pw'),
  });
});
after(async () => {
  await operator?.close();
  await broker?.stop();
});

it('keeps tenants away from quotas and counts a tenant as a whole', async () => {
  const [set] = await operator.alterClientQuotas({
    entries: [
      {
        entities: [{ entityType: 'user', entityName: 'alice' }],
        ops: [{ key: 'producer_byte_rate', value: 1000, remove: false }],
      },
    ],
  });
  assert.equal(set?.errorCode, 0);

  const tenantAdmin = new Admin({
    clientId: 'sneaky',
    bootstrapBrokers: [broker.bootstrap],
    sasl: sasl('alice', 'alice-pw'),
  });
  try {
    const [denied] = await tenantAdmin
      .alterClientQuotas({
        entries: [
          {
            entities: [{ entityType: 'user', entityName: 'alice' }],
            ops: [{ key: 'producer_byte_rate', remove: true }],
          },
        ],
      })
      .catch(
        (err: { errors?: { response?: { entries: { errorCode: number }[] } }[] }) =>
          err.errors?.[0]?.response?.entries ?? [],
      );
    assert.equal(denied?.errorCode, 31, 'CLUSTER_AUTHORIZATION_FAILED');
    await assert.rejects(tenantAdmin.describeClientQuotas({ components: [] }));
  } finally {
    await tenantAdmin.close();
  }

  // Two applications of the tenant, two client ids: one rate.
  const app = (clientId: string) =>
    new Producer({
      clientId,
      bootstrapBrokers: [broker.bootstrap],
      sasl: sasl('alice', 'alice-pw'),
      serializers: stringSerializers,
      autocreateTopics: true,
    });
  const first = app('team-a-ingest');
  try {
    await first.send({ messages: [{ topic: 'team-a.events', value: 'x'.repeat(30_000) }] });
  } finally {
    await first.close();
  }
  const quotas = broker.broker.services.quotas;
  assert.ok(
    quotas.throttle('producer_byte_rate', 'User:alice', 'team-a-other-app') > 0,
    'another app of the tenant is over',
  );
  assert.equal(quotas.throttle('producer_byte_rate', 'User:admin', 'ops'), 0, 'another user is not');
});
