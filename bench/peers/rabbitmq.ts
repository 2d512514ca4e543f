/**
 * RabbitMQ Streams (stream plugin) on a private node. Client: our lean stream-protocol client
 * (rabbit-stream.ts): Publish frames of 500 messages with up to 20,000 awaiting PublishConfirm;
 * consume by Subscribe from the first offset with credit, counting records per chunk.
 */

import { runInChild } from '../lib/child-run.ts';
import type { BenchOptions, LatencyWindow } from '../lib/options.ts';
import { minConsumeMs, repeatPasses } from '../lib/passes.ts';
import { LatencySamples } from '../lib/percentiles.ts';
import { startUsage } from '../lib/proc-stats.ts';
import { unavailable } from '../lib/result.ts';
import { latencyRow, sizeLabel, throughputRow } from '../lib/rows.ts';
import { type Emit, paced, payload } from './common.ts';
import { chunkMessages, OFFSET_FIRST, OFFSET_NEXT, RabbitStream } from './rabbit-stream.ts';
import { startRabbitNode } from './rabbitmq-node.ts';

const SYSTEM = 'RabbitMQ Streams';
const CLIENT = 'pipelined stream protocol (own)';

async function produce(port: number, stream: string, size: number, o: BenchOptions) {
  const c = await RabbitStream.open(port);
  await c.declarePublisher(1, stream);
  const messages = Array.from({ length: 500 }, () => payload(size));
  const window = 40;
  let confirmed = 0;
  let inFlight = 0;
  let nextId = 1n;
  let sending = true;
  const send = (n: number): void => {
    const frames: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      frames.push(RabbitStream.publishFrame(1, nextId, messages));
      nextId += BigInt(messages.length);
    }
    c.write(frames);
    inFlight += n * messages.length;
  };
  c.onConfirm = (n) => {
    confirmed += n;
    inFlight -= n;
    const free = Math.floor((window * messages.length - inFlight) / messages.length);
    if (sending && free >= window / 2) send(free);
  };
  send(window);
  await new Promise((r) => setTimeout(r, o.warmupMs));
  const c0 = confirmed;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, o.durationMs));
  const records = confirmed - c0;
  const seconds = (performance.now() - t0) / 1000;
  sending = false;
  const deadline = performance.now() + 5000;
  while (inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  c.close();
  return { records, payloadBytes: records * size, seconds, total: confirmed, error: c.closedReason };
}

async function consume(port: number, stream: string, total: number, size: number, limitMs: number) {
  const c = await RabbitStream.open(port);
  let records = 0;
  const done = Promise.withResolvers<void>();
  c.onDeliver = (n) => {
    records += n;
    if (records >= total) done.resolve();
  };
  const t0 = performance.now();
  await c.subscribe(1, stream, OFFSET_FIRST);
  await Promise.race([done.promise, new Promise((r) => setTimeout(r, limitMs))]);
  const seconds = (performance.now() - t0) / 1000;
  c.close();
  return { records, payloadBytes: records * size, seconds };
}

/** End-to-end latency; runs in a child process (child-run.ts). */
export async function rabbitmqLatency(port: number, stream: string, rate: number, o: LatencyWindow) {
  const samples = new LatencySamples(Math.ceil((rate * (o.latencyMs + 2000)) / 1000));
  const measureFrom = performance.now() + o.warmupMs;
  let received = 0;
  const consumer = await RabbitStream.open(port);
  consumer.onDeliver = (_n, data, entries) => {
    const now = performance.now();
    for (const m of chunkMessages(data, entries)) {
      const sentAt = m.readDoubleBE(0);
      if (sentAt >= measureFrom) samples.add(now - sentAt);
      received++;
    }
  };
  await consumer.subscribe(1, stream, OFFSET_NEXT);
  const producer = await RabbitStream.open(port);
  await producer.declarePublisher(1, stream);
  let nextId = 1n;
  const sent = await paced(rate, o.warmupMs + o.latencyMs, (due) => {
    const msgs = Array.from({ length: due }, () => payload(100, true));
    producer.write([RabbitStream.publishFrame(1, nextId, msgs)]);
    nextId += BigInt(due);
  });
  const deadline = performance.now() + 2000;
  while (received < sent && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  consumer.close();
  producer.close();
  const [p50, p99, p999] = samples.percentiles([50, 99, 99.9]);
  return { p50: p50 ?? null, p99: p99 ?? null, p999: p999 ?? null, sent, received };
}

export async function rabbitmqSuite(o: BenchOptions, emit: Emit): Promise<void> {
  const node = await startRabbitNode();
  if (typeof node === 'string') {
    emit(unavailable(SYSTEM, CLIENT, 'all', `not available: ${node}`));
    return;
  }
  try {
    const port = node.streamPort;
    const admin = await RabbitStream.open(port);
    let first = { stream: '', total: 0 };
    for (const size of o.quick ? [100] : [100, 1024]) {
      const stream = `samsa-bench-${size}`;
      await admin.createStream(stream);
      const usage = startUsage(node.pid);
      const r = await produce(port, stream, size, o);
      if (size === 100) first = { stream, total: r.total };
      emit(
        throughputRow(
          { system: SYSTEM, client: CLIENT, workload: `produce ${sizeLabel(size)}` },
          r,
          usage.stop(),
          `Publish frames of 500, up to 20000 awaiting confirm${r.error ? `; ${r.error}` : ''}`,
        ),
      );
    }
    const usage = startUsage(node.pid);
    const c = await repeatPasses(minConsumeMs(o.quick), 20, () =>
      consume(port, first.stream, first.total, 100, o.quick ? 5000 : 30000),
    );
    emit(
      throughputRow(
        { system: SYSTEM, client: CLIENT, workload: 'consume 100 B from start' },
        c,
        usage.stop(),
        `${c.records} messages in ${c.passes} pass(es) of ${first.total}, Subscribe from first offset`,
      ),
    );
    await admin.createStream('samsa-bench-latency');
    admin.close();
    const lu = startUsage(node.pid);
    const l = await runInChild<Awaited<ReturnType<typeof rabbitmqLatency>>>(
      new URL(import.meta.url),
      'rabbitmqLatency',
      [port, 'samsa-bench-latency', 10000, { warmupMs: o.warmupMs, latencyMs: o.latencyMs }],
    );
    emit(
      latencyRow(
        { system: SYSTEM, client: CLIENT, workload: 'e2e latency 10k rec/s' },
        { ...l, records: l.received, seconds: (o.warmupMs + o.latencyMs) / 1000 },
        lu.stop(),
        `${l.received}/${l.sent} received; one Publish per 1 ms tick`,
      ),
    );
  } finally {
    await node.stop();
  }
}
