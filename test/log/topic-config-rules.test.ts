/**
 * Topic configs are validated in one place (log/topic-config-rules.ts): the log manager refuses
 * what it refuses, with Kafka's message, the broker's topic config table covers exactly its names,
 * and the log's parsed config applies only the values it accepts.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { TOPIC_CONFIGS } from '../../src/broker/topic-config.ts';
import { DEFAULT_LOG_CONFIG, logConfigFor } from '../../src/log/config.ts';
import { isTopicError, LogManager } from '../../src/log/log-manager.ts';
import { TOPIC_CONFIG_NAMES, validateTopicConfigs } from '../../src/log/topic-config-rules.ts';
import { tempDir } from './helpers.ts';

const tmp = tempDir();
after(tmp.cleanup);

it("the broker's topic configs are exactly the ones with rules", () => {
  assert.deepEqual(
    TOPIC_CONFIGS.map((c) => c.name),
    TOPIC_CONFIG_NAMES,
  );
});

it("the log manager refuses invalid topic configs with Kafka's message", async () => {
  const mgr = await LogManager.open(`${tmp.dir}/m`);
  try {
    const created = mgr.createTopic('t', 1, { 'segment.bytes': '10' });
    assert.ok(isTopicError(created));
    assert.equal(created.error, 'INVALID_CONFIG');
    assert.equal(
      created.message,
      'Invalid value 10 for configuration segment.bytes: Value must be at least 14',
    );
    assert.equal(created.message, validateTopicConfigs({ 'segment.bytes': '10' }));
    const conflict = mgr.createTopic('u', 1, { 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' });
    assert.ok(isTopicError(conflict));
    assert.match(conflict.message, /conflict topic config setting min.compaction.lag.ms/);
  } finally {
    await mgr.close();
  }
});

it('the parsed log config applies only values the rules accept', () => {
  const config = logConfigFor(
    { 'segment.bytes': '10', 'retention.ms': '9223372036854775807', 'min.cleanable.dirty.ratio': '0.25' },
    DEFAULT_LOG_CONFIG,
  );
  assert.equal(config.segmentBytes, DEFAULT_LOG_CONFIG.segmentBytes, 'below the minimum: ignored');
  assert.equal(config.retentionMs, Number.MAX_SAFE_INTEGER, "Kafka's Long.MAX_VALUE");
  assert.equal(config.minCleanableDirtyRatio, 0.25);
});
