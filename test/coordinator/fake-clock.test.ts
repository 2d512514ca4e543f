import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../src/coordinator/fake-clock.ts';
import { KeyedTimers } from '../../src/coordinator/timers.ts';

describe('FakeClock and KeyedTimers', () => {
  test('advance fires due timers in due order, ties in scheduling order, including ones scheduled meanwhile', () => {
    const clock = new FakeClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => {
      fired.push(`a@${clock.now()}`);
      clock.setTimeout(() => fired.push(`c@${clock.now()}`), 5);
    }, 10);
    clock.setTimeout(() => fired.push(`d@${clock.now()}`), 20);
    const cancelled = clock.setTimeout(() => fired.push('never'), 1);
    clock.clearTimeout(cancelled);
    clock.advance(30);
    assert.deepEqual(fired, ['a@110', 'c@115', 'b@120', 'd@120']);
    assert.equal(clock.now(), 130);
    assert.equal(clock.pending, 0);
  });

  test('rescheduling a key replaces the pending timer', () => {
    const clock = new FakeClock();
    const timers = new KeyedTimers(clock);
    const fired: number[] = [];
    timers.schedule('k', 10, () => fired.push(1));
    clock.advance(5);
    timers.schedule('k', 10, () => fired.push(2));
    clock.advance(9);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, [2]);
    assert.equal(timers.has('k'), false);
  });
});
