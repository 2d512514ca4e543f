/**
 * `samsa demo chatbot-logs` end to end: a few seconds of bot logs, then from the outside (the demo's
 * broker data reopened): the topic has 6 partitions and 7-day retention, the retry topics exist, and
 * the dead-letter topic holds exactly the events of the org whose endpoint was down, with the
 * reason in their headers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { startBroker } from '../../src/testing/index.ts';
import { readTopic, runDemo, summaryNumber } from './helpers.ts';

let tmp: string;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'samsa-demo-chatbot-'));
});

after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

test('failing org endpoints: retried through retry topics, the down one dead-lettered, nothing lost', async () => {
  const dir = join(tmp, 'demo');
  const out = await runDemo('chatbot-logs', ['--duration', '3', '--data-dir', dir]);
  assert.match(out, /every event accepted or in DLT\s+yes/);
  const emitted = summaryNumber(out, 'events emitted');
  assert.ok(emitted > 100, out);
  // acme never fails; globex fails 30% of batches, so a batch may (rarely) fail all three rounds and
  // be dead-lettered too: each event is accepted or in the DLT, never both, never neither.
  assert.equal(summaryNumber(out, 'acme: accepted by endpoint'), summaryNumber(out, 'acme: emitted'), out);
  assert.equal(summaryNumber(out, 'acme: in dead-letter topic'), 0, out);
  const globexDead = summaryNumber(out, 'globex: in dead-letter topic');
  assert.equal(
    summaryNumber(out, 'globex: accepted by endpoint') + globexDead,
    summaryNumber(out, 'globex: emitted'),
    out,
  );
  const initech = summaryNumber(out, 'initech: emitted');
  assert.equal(summaryNumber(out, 'initech: in dead-letter topic'), initech, out);

  const broker = await startBroker({ dataDir: join(dir, 'samsa') });
  try {
    const admin = new Admin({ clientId: 't', bootstrapBrokers: [broker.bootstrap] });
    try {
      const topics = await admin.listTopics();
      assert.ok(
        topics.includes('chatbot-logs-retry-1s') && topics.includes('chatbot-logs-retry-3s'),
        String(topics),
      );
      const md = await admin.metadata({ topics: ['chatbot-logs'] });
      assert.equal(md.topics.get('chatbot-logs')?.partitionsCount, 6);
      const configs = await admin.describeConfigs({
        resources: [{ resourceType: 2, resourceName: 'chatbot-logs', configurationKeys: ['retention.ms'] }],
      } as never);
      assert.match(JSON.stringify(configs), /"604800000"/);
    } finally {
      await admin.close();
    }
    const dead = await readTopic(broker.bootstrap, 'chatbot-logs-dlt');
    assert.equal(dead.length, initech + globexDead);
    const seqs = new Set<number>();
    for (const r of dead) {
      assert.match(r.key, /^(initech|globex)\/s\d+$/);
      assert.equal(r.headers.get('samsa.retry.original.topic'), 'chatbot-logs');
      assert.match(r.headers.get('samsa.retry.error') ?? '', /503/);
      seqs.add((JSON.parse(r.value) as { seq: number }).seq);
    }
    assert.equal(seqs.size, initech + globexDead, 'each dead event once');
  } finally {
    await broker.stop();
  }
});
