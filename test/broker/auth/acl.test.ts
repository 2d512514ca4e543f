/** ACL decisions as Kafka's StandardAuthorizer makes them, and tenant confinement. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import {
  type AclBinding,
  decide,
  decideAny,
  Operation,
  PatternType,
  Permission,
  ResourceType,
} from '../../../src/broker/auth/acl.ts';
import { Authorizer } from '../../../src/broker/auth/authorizer.ts';

const allow = (over: Partial<AclBinding>): AclBinding => ({
  resourceType: ResourceType.TOPIC,
  resourceName: 'orders',
  patternType: PatternType.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: Operation.READ,
  permissionType: Permission.ALLOW,
  ...over,
});
const req = (operation: number, resourceName = 'orders', principal = 'User:alice') => ({
  principal,
  host: '10.0.0.1',
  operation,
  resourceType: ResourceType.TOPIC,
  resourceName,
});

it('denies by default and allows what a binding grants, with DESCRIBE implied by READ', () => {
  const acls = [allow({})];
  assert.equal(decide([], req(Operation.READ)), false);
  assert.equal(decide(acls, req(Operation.READ)), true);
  assert.equal(decide(acls, req(Operation.DESCRIBE)), true);
  assert.equal(decide(acls, req(Operation.WRITE)), false);
  assert.equal(decide(acls, req(Operation.READ, 'payments')), false);
  assert.equal(decide(acls, req(Operation.READ, 'orders', 'User:bob')), false);
});

it('matches prefixed patterns, wildcards and hosts; DENY wins', () => {
  const acls = [
    allow({ resourceName: 'team-a.', patternType: PatternType.PREFIXED, operation: Operation.ALL }),
    allow({ resourceName: 'team-a.secret', permissionType: Permission.DENY, operation: Operation.READ }),
    allow({ resourceName: '*', principal: 'User:*', operation: Operation.DESCRIBE, host: '10.0.0.1' }),
  ];
  assert.equal(decide(acls, req(Operation.WRITE, 'team-a.orders')), true);
  assert.equal(decide(acls, req(Operation.READ, 'team-a.secret')), false, 'deny wins');
  assert.equal(
    decide(acls, req(Operation.DESCRIBE, 'anything', 'User:zed')),
    true,
    'wildcard principal/resource',
  );
  assert.equal(
    decide(acls, { ...req(Operation.DESCRIBE, 'anything', 'User:zed'), host: '10.9.9.9' }),
    false,
    'host must match',
  );
});

it('lets super users do anything, confines tenants to their prefix, and persists bindings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-acl-'));
  try {
    const auth = new Authorizer(dir, {
      enabled: true,
      superUsers: ['User:admin'],
      tenants: new Map([['User:t1', 't1.']]),
    });
    assert.equal(auth.authorize(req(Operation.DELETE, 'x', 'User:admin')), true);
    assert.equal(auth.authorize(req(Operation.WRITE, 't1.orders', 'User:t1')), true);
    assert.equal(auth.authorize(req(Operation.DESCRIBE, 't2.orders', 'User:t1')), false);
    auth.add([allow({})]);
    const reopened = new Authorizer(dir, { enabled: true, superUsers: [], tenants: new Map() });
    assert.equal(reopened.authorize(req(Operation.READ)), true);
    const removed = reopened.remove({
      resourceType: ResourceType.ANY,
      resourceName: null,
      patternType: PatternType.ANY,
      principal: 'User:alice',
      host: null,
      operation: Operation.ANY,
      permissionType: Permission.ANY,
    });
    assert.equal(removed.length, 1);
    assert.equal(reopened.authorize(req(Operation.READ)), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('decideAny: an operation on some resource of a type, unless a DENY covers the granted pattern', () => {
  const any = {
    principal: 'User:alice',
    host: '10.0.0.1',
    operation: Operation.WRITE,
    resourceType: ResourceType.TOPIC,
  };
  assert.equal(decideAny([], any), false);
  assert.equal(decideAny([allow({ operation: Operation.READ })], any), false);
  const write = allow({
    operation: Operation.WRITE,
    resourceName: 'logs-',
    patternType: PatternType.PREFIXED,
  });
  assert.equal(decideAny([write], any), true);
  assert.equal(decideAny([write], { ...any, principal: 'User:bob' }), false);
  const denyAll = allow({ operation: Operation.WRITE, resourceName: '*', permissionType: Permission.DENY });
  assert.equal(decideAny([write, denyAll], any), false);
});
