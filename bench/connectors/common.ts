/**
 * Shared parts of the connector benchmarks: a Samsa broker child process, a Connect worker in this
 * process (offsets flushed every 100 ms), pre-filling a topic with fixed-size records (not timed),
 * creating a connector over REST, and timing a sink by its consumer group's committed offsets —
 * the rate is counted from the first commit to the commit that reaches the end of the topic, so it
 * measures records the connector finished (delivered, written, or handed to a retry topic).
 */
import { randomUUID } from 'node:crypto';
import { Admin, Producer } from '@platformatic/kafka';
import pino from 'pino';
import { type RunningWorker, startWorker } from '../../src/connect/runtime/index.ts';
import { sleep } from '../lib/net.ts';
import { type SamsaProcess, startSamsa } from '../samsa/broker-process.ts';

export interface BenchEnv {
  broker: SamsaProcess;
  bootstrap: string;
  worker: RunningWorker;
  stop(): Promise<void>;
}

export async function startEnv(): Promise<BenchEnv> {
  const broker = await startSamsa('never');
  const bootstrap = `127.0.0.1:${broker.port}`;
  const group = `bench-connect-${randomUUID().slice(0, 8)}`;
  const worker = await startWorker({
    bootstrap,
    properties: {
      'group.id': group,
      'config.storage.topic': `${group}-configs`,
      'offset.storage.topic': `${group}-offsets`,
      'status.storage.topic': `${group}-status`,
      'offset.flush.interval.ms': '100',
      'consumer.max.poll.records': '100000',
    },
    settings: { restHost: '127.0.0.1', restPort: 0 },
    logger: pino({ level: process.env.SAMSA_BENCH_LOG_LEVEL ?? 'error' }),
  });
  return {
    broker,
    bootstrap,
    worker,
    async stop() {
      await worker.stop();
      await broker.stop();
    },
  };
}

/** Writes `count` records of `size` bytes (key `k<i % keys>`) spread over the partitions. */
export async function fill(
  bootstrap: string,
  topic: string,
  partitions: number,
  count: number,
  options: { size?: number; keys?: number; value?: (i: number) => Buffer } = {},
): Promise<void> {
  const admin = new Admin({ clientId: 'bench-fill', bootstrapBrokers: [bootstrap] });
  await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  await admin.close();
  const producer = new Producer({ clientId: 'bench-fill', bootstrapBrokers: [bootstrap], acks: 1 });
  const size = options.size ?? 100;
  const keys = options.keys ?? 1_000_000_000;
  const body = (i: number): Buffer => {
    const text = `{"id":${i},"pad":"`;
    return Buffer.from(`${text}${'x'.repeat(Math.max(0, size - text.length - 2))}"}`);
  };
  const value = options.value ?? body;
  const batch = 5000;
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < count; i += batch) {
    const messages = [];
    for (let j = i; j < Math.min(count, i + batch); j++)
      messages.push({ topic, partition: j % partitions, key: Buffer.from(`k${j % keys}`), value: value(j) });
    inFlight.push(producer.send({ messages }));
    if (inFlight.length >= 4) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await producer.close();
}

export async function createConnector(
  env: BenchEnv,
  name: string,
  config: Record<string, string>,
): Promise<void> {
  const response = await fetch(`${env.worker.restUrl}/connectors`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, config }),
  });
  if (response.status !== 201)
    throw new Error(`creating ${name}: ${response.status} ${await response.text()}`);
}

export async function deleteConnector(env: BenchEnv, name: string): Promise<void> {
  await fetch(`${env.worker.restUrl}/connectors/${name}`, { method: 'DELETE' });
}

export interface SinkTiming {
  records: number;
  seconds: number;
  recordsPerSecond: number;
}

/** Waits until the sink's group committed `total` records of `topic`; rate from first to last commit. */
export async function timeSink(
  env: BenchEnv,
  connector: string,
  topic: string,
  total: number,
  timeoutMs = 300_000,
): Promise<SinkTiming> {
  const admin = new Admin({ clientId: 'bench-lag', bootstrapBrokers: [env.bootstrap] });
  const deadline = Date.now() + timeoutMs;
  let first: { at: number; done: number } | null = null;
  try {
    for (;;) {
      const groups = await admin.listConsumerGroupOffsets({ groups: [`connect-${connector}`] });
      let done = 0;
      for (const g of groups)
        for (const t of g.topics)
          if (t.name === topic)
            for (const p of t.partitions) if (p.committedOffset > 0n) done += Number(p.committedOffset);
      const now = performance.now();
      if (done > 0 && first === null) first = { at: now, done };
      if (done >= total && first !== null) {
        const seconds = (now - first.at) / 1000;
        const records = total - first.done;
        return { records, seconds, recordsPerSecond: seconds > 0 ? Math.round(records / seconds) : 0 };
      }
      if (Date.now() > deadline) throw new Error(`${connector}: committed ${done} of ${total} in time`);
      await sleep(20);
    }
  } finally {
    await admin.close();
  }
}

/** Sum of a topic's end offsets. */
export async function endOffsets(bootstrap: string, topic: string): Promise<number> {
  const admin = new Admin({ clientId: 'bench-end', bootstrapBrokers: [bootstrap] });
  try {
    const meta = await admin.metadata({ topics: [topic] });
    const count = meta.topics.get(topic)?.partitionsCount ?? 0;
    const answer = await admin.listOffsets({
      topics: [
        {
          name: topic,
          partitions: Array.from({ length: count }, (_, p) => ({ partitionIndex: p, timestamp: -1n })),
        },
      ],
    });
    return answer.reduce((n, t) => n + t.partitions.reduce((m, p) => m + Number(p.offset), 0), 0);
  } catch {
    return 0;
  } finally {
    await admin.close();
  }
}
