/**
 * Time retention end to end (issue 4, done-when #3) with confluent-kafka: a topic with
 * retention.ms=2000 loses its old segments in the background and its low watermark moves up; a
 * consumer positioned before the low watermark is reset by auto.offset.reset (earliest: to the low
 * watermark; latest: to the end, so it sees only what is produced next).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBroker } from '../../src/testing/index.ts';
import { runPython } from '../helpers/run.ts';

const SCRIPT = `
import sys, json, time
from confluent_kafka import Producer, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
bootstrap, topic, step = sys.argv[1], sys.argv[2], sys.argv[3]
if step == 'setup':
    a = AdminClient({'bootstrap.servers': bootstrap})
    for f in a.create_topics([NewTopic(topic, 1, 1, config={'retention.ms': '2000', 'segment.bytes': '2048'})]).values():
        f.result(15)
    p = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 0})
    now = int(time.time() * 1000)
    for i in range(300):   # an hour old: past retention at once
        p.produce(topic, key=b'k%d' % i, value=b'old-%d' % i, partition=0, timestamp=now - 3600000)
        p.poll(0)
    p.flush(15)
    for i in range(20):    # an hour ahead: kept for the whole test
        p.produce(topic, key=b'k%d' % i, value=b'new-%d' % i, partition=0, timestamp=now + 3600000)
        p.poll(0)
    p.flush(15)
    print('ok')
elif step == 'watermarks':
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'wm'})
    print(json.dumps(c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)))
    c.close()
else:
    reset = step
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'g-' + reset, 'auto.offset.reset': reset,
                  'enable.auto.commit': False})
    c.assign([TopicPartition(topic, 0, 0)])   # position 0: below the low watermark
    out = []
    deadline = time.time() + 10
    produced = False
    while time.time() < deadline:
        m = c.poll(0.2)
        if m is None:
            if reset == 'latest' and not produced and time.time() > deadline - 8:
                p = Producer({'bootstrap.servers': bootstrap})
                p.produce(topic, value=b'after-reset', partition=0, timestamp=int(time.time() * 1000) + 3600000)
                p.flush(10)
                produced = True
            if out and (reset == 'earliest' or produced):
                break
            continue
        if m.error():
            continue
        out.append([m.offset(), m.value().decode()])
        if reset == 'earliest' and (m.value() == b'new-0' or len(out) >= 320):
            break
    c.close()
    print(json.dumps(out))
`;

describe('time retention end to end', () => {
  it('retention.ms=2000 deletes old segments, moves the low watermark, and consumers reset per auto.offset.reset', async () => {
    const broker = await startBroker({ logRetentionCheckIntervalMs: 100, logCleanerBackoffMs: 100 });
    try {
      const topic = 'short-lived';
      const setup = await runPython(SCRIPT, [broker.bootstrap, topic, 'setup']);
      assert.equal(setup.stdout.trim(), 'ok', setup.stderr);
      const log = broker.broker.services.logs.getPartition(topic, 0)!;
      assert.equal(log.logEndOffset, 320);
      // Retention may delete the expired segments over several checks: wait until the low
      // watermark has moved and then stayed put for five check intervals.
      const deadline = Date.now() + 10_000;
      let low = 0;
      let stableSince = Date.now();
      while (Date.now() < deadline) {
        if (log.logStartOffset !== low) {
          low = log.logStartOffset;
          stableSince = Date.now();
        } else if (low > 0 && Date.now() - stableSince >= 500) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(low > 0 && low <= 300, `low watermark ${low}`);
      // Segments holding only old records are gone; the one holding new records stays.
      assert.ok(log.segments[0]!.baseOffset === low);
      const wm = await runPython(SCRIPT, [broker.bootstrap, topic, 'watermarks']);
      assert.deepEqual(JSON.parse(wm.stdout), [low, 320], wm.stderr);

      const earliest = await runPython(SCRIPT, [broker.bootstrap, topic, 'earliest']);
      const got = JSON.parse(earliest.stdout) as [number, string][];
      assert.equal(
        got[0]?.[0],
        low,
        `earliest resets to the low watermark: ${earliest.stdout}${earliest.stderr}`,
      );
      assert.ok(got.some(([, v]) => v === 'new-0'));

      const latest = await runPython(SCRIPT, [broker.bootstrap, topic, 'latest']);
      assert.deepEqual(JSON.parse(latest.stdout), [[320, 'after-reset']], latest.stderr);
    } finally {
      await broker.stop();
    }
  });
});
