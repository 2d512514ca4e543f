/** Repeated consume passes add up to the minimum window, stop on an error and at the pass limit. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { repeatPasses } from '../../bench/lib/passes.ts';

it('repeats passes until their time adds up to the minimum, summing records and time', async () => {
  let calls = 0;
  const r = await repeatPasses(1000, 20, async () => {
    calls++;
    return { records: 100, payloadBytes: 1000, seconds: 0.3 };
  });
  assert.equal(calls, 4, '0.9 s after three passes is short of 1 s');
  assert.deepEqual(r, { records: 400, payloadBytes: 4000, seconds: 1.2, passes: 4 });
});

it('stops at an error and at the pass limit', async () => {
  let calls = 0;
  const failed = await repeatPasses(1000, 20, async () => {
    calls++;
    return { records: 5, payloadBytes: 5, seconds: 0.01, ...(calls === 2 ? { error: 'closed' } : {}) };
  });
  assert.equal(failed.passes, 2);
  assert.equal(failed.error, 'closed');
  const capped = await repeatPasses(1000, 3, async () => ({ records: 1, payloadBytes: 1, seconds: 0.01 }));
  assert.equal(capped.passes, 3);
});
