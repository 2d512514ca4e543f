import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../src/cli/args.ts';
import { parseTopicSelection } from '../../../src/cli/commands/consumer-groups-reset-offsets.ts';

test('--topic takes a topic or topic:partition,partition', () => {
  assert.deepEqual(
    parseTopicSelection(['orders', 'payments:0,2', 'a.b']),
    new Map([
      ['orders', undefined],
      ['payments', [0, 2]],
      ['a.b', undefined],
    ]),
  );
  assert.throws(() => parseTopicSelection(['orders:x']), UsageError);
  assert.throws(() => parseTopicSelection(['orders:']), UsageError);
});
