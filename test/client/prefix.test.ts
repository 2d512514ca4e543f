import assert from 'node:assert/strict';
import { test } from 'node:test';
import { namePrefix, prefixFromEnv } from '../../src/client/prefix.ts';

test('adds the prefix on the way out and strips it on the way back', () => {
  const prefix = namePrefix('tenant-7.');
  assert.equal(prefix.add('orders'), 'tenant-7.orders');
  assert.equal(prefix.strip('tenant-7.orders'), 'orders');
  assert.equal(prefix.strip('other.orders'), undefined, "someone else's topic");
  assert.equal(prefix.strip('tenant-7.'), undefined, 'the bare prefix is not a name');
  assert.equal(prefix.scrub("Topic 'tenant-7.orders' already exists."), "Topic 'orders' already exists.");
});

test('no prefix: names pass through', () => {
  const prefix = prefixFromEnv({});
  assert.equal(prefix.value, '');
  assert.equal(prefix.add('orders'), 'orders');
  assert.equal(prefix.strip('orders'), 'orders');
  assert.equal(prefix.scrub('a b'), 'a b');
  assert.equal(prefixFromEnv({ KAFKA_PREFIX: 'p.' }).add('x'), 'p.x');
});
