import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../src/cli/args.ts';
import { createConfigs } from '../../../src/cli/commands/topics-create.ts';

test('create flags become Kafka topic configs', () => {
  assert.deepEqual(createConfigs({ retention: '2d', compaction: false, configs: [] }), {
    'retention.ms': '172800000',
  });
  assert.deepEqual(createConfigs({ retention: 'disable', compaction: false, configs: [] }), {
    'retention.ms': '-1',
  });
  assert.deepEqual(createConfigs({ compaction: true, configs: ['segment.ms=600000'] }), {
    'segment.ms': '600000',
    'cleanup.policy': 'compact',
  });
  assert.deepEqual(createConfigs({ retention: '7d', compaction: true, configs: [] }), {
    'retention.ms': '604800000',
    'cleanup.policy': 'compact,delete',
  });
});

test('conflicting or malformed create flags are usage errors', () => {
  assert.throws(
    () => createConfigs({ retention: '1d', compaction: false, configs: ['retention.ms=5'] }),
    UsageError,
  );
  assert.throws(() => createConfigs({ compaction: true, configs: ['cleanup.policy=delete'] }), UsageError);
  assert.throws(() => createConfigs({ compaction: false, configs: ['novalue'] }), /expected key=value/);
  assert.throws(() => createConfigs({ compaction: false, configs: ['=x'] }), /expected key=value/);
});
