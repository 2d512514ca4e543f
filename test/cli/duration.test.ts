import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/cli/args.ts';
import {
  durationMs,
  formatDuration,
  parseDuration,
  parseRetention,
  parseTimePoint,
} from '../../src/cli/duration.ts';

test('durations: units, combinations, bare milliseconds', () => {
  assert.equal(durationMs('7d'), 604_800_000);
  assert.equal(durationMs('36h'), 129_600_000);
  assert.equal(durationMs('90m'), 5_400_000);
  assert.equal(durationMs('1h30m'), 5_400_000);
  assert.equal(durationMs('2w'), 1_209_600_000);
  assert.equal(durationMs('500ms'), 500);
  assert.equal(durationMs('1.5h'), 5_400_000);
  assert.equal(durationMs('45s'), 45_000);
  assert.equal(durationMs('172800000'), 172_800_000);
  assert.equal(durationMs('2D'), 172_800_000);
  for (const bad of ['', 'd', '7x', '7d3', 'abc', '-1h', '1h 30m'])
    assert.equal(durationMs(bad), undefined, bad);
  assert.throws(
    () => parseDuration('soon', '--x'),
    (e: Error) => e instanceof UsageError && /--x: "soon"/.test(e.message),
  );
});

test('retention: positive durations, or disable/infinite/-1 for forever', () => {
  assert.equal(parseRetention('2d', 'r'), 172_800_000);
  assert.equal(parseRetention('disable', 'r'), -1);
  assert.equal(parseRetention('infinite', 'r'), -1);
  assert.equal(parseRetention('-1', 'r'), -1);
  assert.throws(() => parseRetention('0', 'r'), UsageError);
  assert.throws(() => parseRetention('later', 'r'), UsageError);
});

test('formatDuration picks the largest units', () => {
  assert.equal(formatDuration(172_800_000), '2d');
  assert.equal(formatDuration(129_600_000), '1d12h');
  assert.equal(formatDuration(5_400_000), '1h30m');
  assert.equal(formatDuration(1_500), '1s500ms');
  assert.equal(formatDuration(0), '0ms');
  assert.equal(formatDuration(-1), 'infinite');
});

test('points in time: ISO, epoch ms, or a duration ago', () => {
  const now = Date.parse('2024-05-02T00:00:00Z');
  assert.equal(parseTimePoint('2024-05-01T10:00:00Z', 't', now), Date.parse('2024-05-01T10:00:00Z'));
  assert.equal(parseTimePoint('2024-05-01', 't', now), Date.parse('2024-05-01'));
  assert.equal(parseTimePoint('1714557600000', 't', now), 1_714_557_600_000);
  assert.equal(parseTimePoint('2h', 't', now), now - 7_200_000);
  assert.throws(() => parseTimePoint('yesterday', 't', now), UsageError);
  assert.throws(() => parseTimePoint('2024-13-45', 't', now), UsageError);
  assert.throws(() => parseTimePoint('42', 't', now), UsageError, 'a small bare number is ambiguous');
});
