import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgress, progressLine } from '../../src/cli/progress.ts';

test('a bar when the input size is known, a count and rate otherwise', () => {
  assert.equal(
    progressLine(500, 50, 200, 1000),
    `[${'#'.repeat(8)}${'-'.repeat(22)}] 25% 500 records, 500/s`,
  );
  assert.equal(progressLine(10_000, 100, 100, 2000), `[${'#'.repeat(30)}] 100% 10000 records, 5000/s`);
  assert.equal(progressLine(42, 0, undefined, 0), '42 records, 0/s');
});

test('draws nothing when stderr is not a terminal', () => {
  const written: string[] = [];
  const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  const progress = createProgress(stream, 100);
  progress.update(1, 1);
  progress.finish();
  assert.deepEqual(written, []);
});
