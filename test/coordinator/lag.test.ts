import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lag } from '../../src/coordinator/lag.ts';

test('lag is log end minus committed, null without a commit, never negative', () => {
  assert.equal(lag(10n, 25n), 15n);
  assert.equal(lag(null, 25n), null);
  assert.equal(lag(-1n, 25n), null);
  assert.equal(lag(30n, 25n), 0n);
});
