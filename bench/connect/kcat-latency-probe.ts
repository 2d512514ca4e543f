/**
 * Diagnosis for the CDC latency row: the broker and kcat alone. A Samsa broker child, a producer in
 * this process writing `--size`-byte records at `--rate`/s (acks=all, BatchProducer, one request in
 * flight per partition as the Connect source runner does), and kcat reading the topic from its end;
 * latency = kcat's line arrival here − the record's Kafka timestamp. `--kcat "<args>"` adds kcat
 * arguments (e.g. "-X fetch.wait.max.ms=10", "-X isolation.level=read_uncommitted").
 *
 *   node bench/connect/kcat-latency-probe.ts [--rate 5000] [--size 3700] [--seconds 5] [--kcat "..."]
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { BatchProducer } from '../../src/client/batch-producer.ts';
import { createTopic } from '../../test/helpers/produce.ts';
import { sleep } from '../lib/net.ts';
import { LatencySamples } from '../lib/percentiles.ts';
import { cpuSeconds } from '../lib/proc-stats.ts';
import { installCleanupHandlers, stopAll } from '../lib/procs.ts';
import { startSamsa } from '../samsa/broker-process.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '5000' },
    size: { type: 'string', default: '3700' },
    seconds: { type: 'string', default: '5' },
    kcat: { type: 'string', default: '' },
  },
});
const rate = Number(values.rate);
const size = Number(values.size);
const seconds = Number(values.seconds);
installCleanupHandlers();
const broker = await startSamsa('never', {});
try {
  const bootstrap = `127.0.0.1:${broker.port}`;
  const producer = new BatchProducer({ bootstrapBrokers: [bootstrap], idempotent: false, acks: -1 });
  await createTopic(bootstrap, 'probe', 1);
  const value = Buffer.alloc(size, 'x');
  await producer.send('probe', 0, [{ value }]);
  const samples = new LatencySamples(rate * seconds * 2);
  let received = 0;
  const kcat = spawn(
    'kcat',
    [
      '-b',
      bootstrap,
      '-C',
      '-t',
      'probe',
      '-o',
      'end',
      '-u',
      '-q',
      '-f',
      '%T\n',
      ...values.kcat.split(' ').filter(Boolean),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let buffered = '';
  let measuring = false;
  kcat.stdout.on('data', (chunk: Buffer) => {
    const now = Date.now();
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const l of lines) {
      received++;
      if (measuring) samples.add(now - Number(l));
    }
  });
  await sleep(1500);
  const cpu0 = cpuSeconds([broker.pid]);
  const begin = performance.now();
  let sent = 0;
  let pending: Promise<unknown> | null = null;
  let queued: { value: Buffer }[] = [];
  // what is due goes in one request once the one in flight is acknowledged
  const sendQueued = (): void => {
    if (pending || queued.length === 0) return;
    const batch = queued;
    queued = [];
    pending = producer.send('probe', 0, batch).then(() => {
      pending = null;
    });
  };
  measuring = true;
  while (performance.now() - begin < seconds * 1000) {
    const due = Math.floor(((performance.now() - begin) / 1000) * rate);
    while (sent < due) {
      queued.push({ value });
      sent++;
    }
    sendQueued();
    await sleep(1);
  }
  while (pending || queued.length > 0) {
    sendQueued();
    await sleep(1);
  }
  const deadline = performance.now() + 10_000;
  while (received < sent && performance.now() < deadline) await sleep(10);
  const brokerCpu = cpuSeconds([broker.pid]) - cpu0;
  const [p50, p99, p999] = samples.percentiles([50, 99, 99.9]);
  console.log(
    JSON.stringify({
      rate,
      size,
      sent,
      received,
      p50,
      p99,
      p999,
      brokerCpuUsPerRecord: Math.round((brokerCpu * 1e6) / sent),
      kcat: values.kcat,
    }),
  );
  kcat.kill('SIGTERM');
  await producer.close();
} finally {
  await stopAll();
}
