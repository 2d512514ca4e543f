import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateTopicName } from '../../src/log/topic-name.ts';

describe('validateTopicName', () => {
  it('accepts Kafka-legal names', () => {
    for (const name of ['a', 'orders', 'my.topic_v2-final', '__consumer_offsets', 'x'.repeat(249), '...']) {
      assert.equal(validateTopicName(name), null, name);
    }
  });

  it('rejects illegal names with a message', () => {
    for (const name of ['', '.', '..', 'x'.repeat(250), 'has space', 'slash/', 'ünï', 'tab\t']) {
      assert.equal(typeof validateTopicName(name), 'string', JSON.stringify(name));
    }
  });
});
