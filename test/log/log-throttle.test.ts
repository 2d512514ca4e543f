/** LogThrottle on an injected clock: one line per kind per window, then the count of the rest. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LogThrottle } from '../../src/log/log-throttle.ts';

function recorder() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  return {
    lines,
    warn: (obj: object, msg: string) =>
      lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    error: (obj: object, msg: string) =>
      lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
  };
}

it('logs the first line of a kind, counts the rest of the window, and reports the count', () => {
  let now = 1_000;
  const throttle = new LogThrottle({ windowMs: 10_000, now: () => now });
  const log = recorder();
  for (let i = 0; i < 1234; i++) throttle.warn(log, 'bad-frame', { i }, 'bad frame; closing');
  throttle.error(log, 'append:ENOSPC', { partition: 1 }, 'append failed');
  assert.deepEqual(
    log.lines.map((l) => l.msg),
    ['bad frame; closing', 'append failed'],
  );
  now += 10_000;
  throttle.warn(log, 'bad-frame', { i: 'late' }, 'bad frame; closing');
  assert.equal(log.lines.length, 4);
  assert.equal(log.lines[2]!.msg, 'bad frame; closing (1233 similar suppressed in the last 10 s)');
  assert.deepEqual(log.lines[2]!.obj, { i: 1233, suppressed: 1233 });
  assert.equal(log.lines[3]!.msg, 'bad frame; closing', 'a new window logs again');
  assert.equal(log.lines[1]!.level, 'error');
});

it('flush reports pending counts at once; the window end reports them by itself', async () => {
  let now = 0;
  const throttle = new LogThrottle({ windowMs: 20, now: () => now });
  const log = recorder();
  throttle.warn(log, 'k', {}, 'm');
  throttle.warn(log, 'k', {}, 'm');
  throttle.warn(log, 'k', {}, 'm');
  throttle.flush();
  assert.equal(log.lines.at(-1)!.msg, 'm (2 similar suppressed in the last 1 s)');
  throttle.warn(log, 'k', {}, 'm');
  now = 5;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(log.lines.at(-1)!.msg, 'm (1 similar suppressed in the last 1 s)');
  assert.equal(log.lines.length, 3);
});
