/**
 * Measures the producer the emitter is built on before building it: @platformatic/kafka's
 * idempotent Producer (acks=all), one send() in flight, batches of N CloudEvents-sized records
 * (about 200 B value, six ce_* headers, a key), against a `samsa start` child process. Prints
 * records/s per batch size and compression.
 *
 *   node bench/emit/producer-probe.ts [seconds]
 */
import { Producer } from '@platformatic/kafka';
import { createTopicOn } from '../kafka/admin.ts';
import { startUsage } from '../lib/proc-stats.ts';
import { installCleanupHandlers, stopAll } from '../lib/procs.ts';
import { startSamsa } from '../samsa/broker-process.ts';

const seconds = Number(process.argv[2] ?? 3);
installCleanupHandlers();
const broker = await startSamsa();
try {
  for (const compression of ['none', 'lz4'] as const) {
    for (const batch of [500, 2000, 8000]) {
      const topic = `probe-${compression}-${batch}`;
      await createTopicOn(broker.port, topic, 6);
      const producer = new Producer({
        clientId: 'probe',
        bootstrapBrokers: [`127.0.0.1:${broker.port}`],
        idempotent: true,
        compression,
        autocreateTopics: false,
      });
      const value = Buffer.from(
        JSON.stringify({
          item: 'sku-1234567',
          user: 'u-42',
          price: 12.5,
          tags: ['a', 'b'],
          note: 'x'.repeat(100),
        }),
      );
      let n = 0;
      const make = () =>
        Array.from({ length: batch }, () => {
          n++;
          return {
            topic,
            key: Buffer.from(`user-${n % 1000}`),
            value,
            headers: new Map<Buffer, Buffer>([
              [Buffer.from('ce_specversion'), Buffer.from('1.0')],
              [Buffer.from('ce_id'), Buffer.from(`0190-${n}`)],
              [Buffer.from('ce_source'), Buffer.from('/probe')],
              [Buffer.from('ce_type'), Buffer.from('item.viewed')],
              [Buffer.from('ce_time'), Buffer.from(new Date().toISOString())],
              [Buffer.from('content-type'), Buffer.from('application/json')],
            ]),
          };
        });
      let sent = 0;
      const end = performance.now() + seconds * 1000;
      const usage = startUsage(broker.pid);
      const t0 = performance.now();
      while (performance.now() < end) {
        const messages = make();
        await producer.send({ messages });
        sent += messages.length;
      }
      const s = (performance.now() - t0) / 1000;
      const u = usage.stop();
      console.log(
        `${compression} batch ${batch}: ${Math.round(sent / s)} records/s (${sent} in ${s.toFixed(2)} s), client CPU ${u.clientCpuPct.toFixed(0)}%, broker CPU ${u.serverCpuPct.toFixed(0)}%`,
      );
      await producer.close();
    }
  }
} finally {
  await broker.stop();
  await stopAll();
}
