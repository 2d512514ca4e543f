/**
 * Retention's first pass runs log.initial.task.delay.ms after start (Kafka: 30 s), not one full
 * log.retention.check.interval.ms (5 min) later: segments that expired while the broker was down
 * are deleted soon after a restart. KafkaJS produces hour-old records and reads the low watermark.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/testing/index.ts';
import { waitFor } from '../groups/helpers.ts';

it('deletes expired segments log.initial.task.delay.ms after a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-initial-retention-'));
  const topic = 'expired-while-down';
  try {
    // First run: no retention pass while it is up (both delays far away).
    const first = await startBroker({ dataDir, logInitialTaskDelayMs: 600_000 });
    try {
      const kafka = new Kafka({ brokers: [first.bootstrap], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [
          {
            topic,
            numPartitions: 1,
            configEntries: [
              { name: 'retention.ms', value: '60000' },
              { name: 'segment.bytes', value: '1024' },
            ],
          },
        ],
      });
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      const hourAgo = String(Date.now() - 3_600_000);
      for (let b = 0; b < 10; b++)
        await producer.send({
          topic,
          messages: Array.from({ length: 20 }, (_, i) => ({
            value: `old-${b}-${i}-${'x'.repeat(40)}`,
            timestamp: hourAgo,
          })),
        });
      await producer.send({ topic, messages: [{ value: 'new', timestamp: String(Date.now() + 3_600_000) }] });
      await producer.disconnect();
      assert.equal(first.broker.services.logs.getPartition(topic, 0)!.logStartOffset, 0);
    } finally {
      await first.stop();
    }

    // Restart with the default check interval (5 min) and a short initial delay.
    const second = await startBroker({ dataDir, logInitialTaskDelayMs: 200 });
    try {
      const admin = new Kafka({ brokers: [second.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const low = await waitFor(
          async () => {
            const [p] = await admin.fetchTopicOffsets(topic);
            return Number(p!.low) > 0 ? Number(p!.low) : undefined;
          },
          10_000,
          'the low watermark to move',
        );
        assert.ok(low <= 200, `low watermark ${low}`);
      } finally {
        await admin.disconnect();
      }
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
