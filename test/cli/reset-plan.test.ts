import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lagAfter, type PartitionState, planReset, targetOffset } from '../../src/cli/reset-plan.ts';

const state: PartitionState = { topic: 't', partition: 0, current: 50n, earliest: 10n, latest: 100n };

test('targets for every mode, clamped into the partition', () => {
  assert.equal(targetOffset(state, { kind: 'earliest' }), 10n);
  assert.equal(targetOffset(state, { kind: 'latest' }), 100n);
  assert.equal(targetOffset(state, { kind: 'offset', offset: 60n }), 60n);
  assert.equal(targetOffset(state, { kind: 'offset', offset: 5n }), 10n);
  assert.equal(targetOffset(state, { kind: 'offset', offset: 500n }), 100n);
  assert.equal(targetOffset(state, { kind: 'shift', by: -20n }), 30n);
  assert.equal(targetOffset(state, { kind: 'shift', by: -200n }), 10n);
  assert.equal(targetOffset(state, { kind: 'shift', by: 200n }), 100n);
  assert.equal(
    targetOffset({ ...state, current: null }, { kind: 'shift', by: 1n }),
    null,
    'nothing to shift from',
  );
  assert.equal(targetOffset({ ...state, atTime: 70n }, { kind: 'time', ms: 0 }), 70n);
  assert.equal(
    targetOffset({ ...state, atTime: -1n }, { kind: 'time', ms: 0 }),
    100n,
    'after the last record: the end',
  );
});

test('plan and lag after the reset', () => {
  const states: PartitionState[] = [
    { topic: 't', partition: 0, current: 100n, earliest: 0n, latest: 100n },
    { topic: 't', partition: 1, current: null, earliest: 0n, latest: 40n },
  ];
  const toEarliest = planReset(states, { kind: 'earliest' });
  assert.deepEqual(
    toEarliest.map((p) => [p.partition, p.current, p.target, p.logEnd]),
    [
      [0, 100n, 0n, 100n],
      [1, null, 0n, 40n],
    ],
  );
  assert.equal(lagAfter(toEarliest), 140n);
  const shifted = planReset(states, { kind: 'shift', by: -10n });
  assert.equal(shifted[1]?.target, null);
  assert.equal(lagAfter(shifted), 10n, 'uncommitted partitions add no lag');
});
