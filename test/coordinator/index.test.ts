import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as coordinator from '../../src/coordinator/index.ts';

test('the public entry point loads and exposes the API', async () => {
  assert.equal(typeof coordinator.GroupCoordinator, 'function');
  assert.equal(coordinator.ErrorCode.REBALANCE_IN_PROGRESS, 27);
  assert.equal(typeof coordinator.realClock.now(), 'number');
  let fired = false;
  await new Promise<void>((resolve) => {
    coordinator.realClock.setTimeout(() => {
      fired = true;
      resolve();
    }, 1);
  });
  assert.equal(fired, true);
});
