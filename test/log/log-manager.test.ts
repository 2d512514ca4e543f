import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isTopicError, LogManager, type TopicError } from '../../src/log/log-manager.ts';
import type { TopicMetadata } from '../../src/log/topic-metadata.ts';
import { batch, recordingLogger, tempDir } from './helpers.ts';

const tmp = tempDir();
after(tmp.cleanup);
let n = 0;
const freshDir = (): string => `${tmp.dir}/m-${n++}`;

function ok(v: TopicMetadata | TopicError): TopicMetadata {
  if (isTopicError(v)) assert.fail(`${v.error}: ${v.message}`);
  return v;
}

describe('LogManager', () => {
  it('creates topics whose metadata and data survive a reopen', async () => {
    const dir = freshDir();
    const mgr = await LogManager.open(dir);
    const orders = ok(mgr.createTopic('orders', 3, { 'retention.ms': '1000', 'segment.bytes': '4096' }));
    assert.match(orders.topicId, /^[0-9a-f]{32}$/);
    ok(mgr.createTopic('audit.log', 1));
    mgr.getPartition('orders', 2)!.append(batch({ records: 4 }));
    assert.equal(mgr.getPartition('orders', 3), undefined);
    assert.equal(mgr.getPartition('orders', 2)!.config.segmentBytes, 4096);
    await mgr.close();

    const again = await LogManager.open(dir);
    assert.deepEqual(
      again.listTopics().sort((a, b) => a.name.localeCompare(b.name)),
      [again.getTopic('audit.log'), orders],
    );
    assert.deepEqual(again.getTopicById(orders.topicId), orders);
    assert.equal(again.getPartition('orders', 2)!.logEndOffset, 4);
    assert.equal(again.getPartition('orders', 2)!.config.segmentBytes, 4096);
    await again.close();
  });

  it('rejects bad names, duplicates, collisions, partition counts and configs', async () => {
    const mgr = await LogManager.open(freshDir());
    ok(mgr.createTopic('a.b', 1));
    const err = (v: unknown): string => (isTopicError(v) ? v.error : 'ok');
    assert.equal(err(mgr.createTopic('a.b', 1)), 'TOPIC_ALREADY_EXISTS');
    assert.equal(err(mgr.createTopic('a_b', 1)), 'INVALID_TOPIC_EXCEPTION');
    assert.equal(err(mgr.createTopic('bad/name', 1)), 'INVALID_TOPIC_EXCEPTION');
    assert.equal(err(mgr.createTopic('..', 1)), 'INVALID_TOPIC_EXCEPTION');
    assert.equal(err(mgr.createTopic('x', 0)), 'INVALID_PARTITIONS');
    assert.equal(err(mgr.createTopic('x', 1.5)), 'INVALID_PARTITIONS');
    assert.equal(err(mgr.createTopic('x', 1, { 'segment.bytes': 'big' })), 'INVALID_CONFIG');
    assert.equal(err(mgr.deleteTopic('nope')), 'UNKNOWN_TOPIC_OR_PARTITION');
    assert.equal(mgr.getTopic('x'), undefined);
    await mgr.close();
  });

  it('deletes a topic with its files, and the name can be reused with fresh data', async () => {
    const dir = freshDir();
    const mgr = await LogManager.open(dir);
    const first = ok(mgr.createTopic('events', 2));
    mgr.getPartition('events', 0)!.append(batch({ records: 5 }));
    ok(mgr.deleteTopic('events'));
    assert.equal(fs.existsSync(path.join(dir, 'events-0')), false);
    assert.equal(fs.existsSync(path.join(dir, 'events-1')), false);
    assert.equal(mgr.getTopic('events'), undefined);
    const second = ok(mgr.createTopic('events', 1));
    assert.notEqual(second.topicId, first.topicId);
    assert.equal(mgr.getPartition('events', 0)!.logEndOffset, 0);
    await mgr.close();
    const again = await LogManager.open(dir);
    assert.deepEqual(again.listTopics(), [second]);
    await again.close();
  });

  it('adds partitions and updates configs durably', async () => {
    const dir = freshDir();
    const mgr = await LogManager.open(dir);
    ok(mgr.createTopic('t', 1, { 'segment.bytes': '100000' }));
    assert.equal(isTopicError(mgr.addPartitions('t', 1)), true);
    ok(mgr.addPartitions('t', 3));
    mgr.getPartition('t', 2)!.append(batch());
    const updated = ok(mgr.updateConfigs('t', { 'segment.bytes': null, 'cleanup.policy': 'compact' }));
    assert.deepEqual(updated.configs, { 'cleanup.policy': 'compact' });
    assert.equal(mgr.getPartition('t', 0)!.config.segmentBytes, 1024 * 1024 * 1024);
    assert.equal(isTopicError(mgr.updateConfigs('t', { 'segment.ms': '-5' })), true);
    await mgr.close();
    const again = await LogManager.open(dir);
    assert.equal(again.getTopic('t')!.partitions, 3);
    assert.deepEqual(again.getTopic('t')!.configs, { 'cleanup.policy': 'compact' });
    assert.equal(again.getPartition('t', 2)!.logEndOffset, 1);
    await again.close();
  });

  it('applies broker defaults under topic overrides', async () => {
    const mgr = await LogManager.open(freshDir(), {
      defaults: { segmentBytes: 5000, flushPolicy: 'always' },
    });
    ok(mgr.createTopic('d', 1));
    ok(mgr.createTopic('o', 1, { 'segment.bytes': '7000' }));
    assert.equal(mgr.getPartition('d', 0)!.config.segmentBytes, 5000);
    assert.equal(mgr.getPartition('o', 0)!.config.segmentBytes, 7000);
    assert.equal(mgr.getPartition('o', 0)!.config.flushPolicy, 'always');
    await mgr.close();
  });

  it('sets aside partition directories that no topic owns', async () => {
    const dir = freshDir();
    const mgr = await LogManager.open(dir);
    ok(mgr.createTopic('keep', 1));
    await mgr.close();
    // As if a crash happened between writing data and metadata, or deleting metadata and data.
    fs.mkdirSync(path.join(dir, 'ghost-0'));
    fs.mkdirSync(path.join(dir, 'keep-1'));
    fs.mkdirSync(path.join(dir, 'not a partition dir'));
    const logger = recordingLogger();
    const again = await LogManager.open(dir, { logger });
    const names = fs.readdirSync(dir).sort();
    assert.deepEqual(names, [
      '.lock',
      '__meta',
      'ghost-0.stray',
      'keep-0',
      'keep-1.stray',
      'not a partition dir',
    ]);
    assert.equal(logger.warnings().length, 2);
    ok(again.createTopic('ghost', 1));
    assert.equal(again.getPartition('ghost', 0)!.logEndOffset, 0);
    await again.close();
  });

  it('finishes a topic deletion a crash interrupted instead of rebuilding the topic', async () => {
    const dir = freshDir();
    const mgr = await LogManager.open(dir);
    const doomed = ok(mgr.createTopic('doomed', 2));
    ok(mgr.createTopic('kept', 1));
    mgr.getPartition('doomed', 1)!.append(batch({ records: 3 }));
    await mgr.close();
    // A crash after the first partition directory was renamed for deletion, before the rest.
    fs.renameSync(path.join(dir, 'doomed-0'), path.join(dir, `doomed-0.${doomed.topicId}-delete`));
    const logger = recordingLogger();
    const again = await LogManager.open(dir, { logger });
    assert.equal(again.getTopic('doomed'), undefined);
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.startsWith('doomed')),
      [],
    );
    assert.ok(again.getTopic('kept'));
    await again.close();
    const third = await LogManager.open(dir);
    assert.equal(third.getTopic('doomed'), undefined, 'not rebuilt later either');
    await third.close();
  });
});
