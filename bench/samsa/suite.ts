/**
 * Samsa's workloads, each against a broker child process: startup and idle RSS, produce (100 B and
 * 1 KiB, acks=1 and acks=-1) with the lean generator, consume from the start of the 100 B topic,
 * end-to-end latency at fixed rates, 1,000 partitions (produce and Metadata latency), a real client
 * (@platformatic/kafka), and acks=-1 on a broker started with --fsync always.
 */
import { createTopicOn, deleteTopic } from '../kafka/admin.ts';
import { producePool } from '../kafka/batches.ts';
import { confluentProduce, findPython } from '../kafka/confluent.ts';
import { consumeLoad } from '../kafka/consume-load.ts';
import type { LatencyResult } from '../kafka/latency.ts';
import { platformaticProduce } from '../kafka/platformatic.ts';
import { highWatermark, metadataLatency } from '../kafka/probes.ts';
import { produceLoad } from '../kafka/produce-load.ts';
import { runInChild } from '../lib/child-run.ts';
import { sleep } from '../lib/net.ts';
import type { BenchOptions } from '../lib/options.ts';
import { minConsumeMs, repeatPasses } from '../lib/passes.ts';
import { memoryMb, startUsage } from '../lib/proc-stats.ts';
import { type BenchResult, round, unavailable } from '../lib/result.ts';
import { latencyRow, sizeLabel, throughputRow } from '../lib/rows.ts';
import { settle } from '../lib/settle.ts';
import { type SamsaProcess, startSamsa } from './broker-process.ts';
import { brokerBuildMode } from './build-mode.ts';
import { connectRssRow } from './connect-rss.ts';

const SYSTEM = 'Samsa';
const LEAN = 'lean generator (own codec)';
type Emit = (r: BenchResult) => void;

async function produceRow(
  o: BenchOptions,
  broker: SamsaProcess,
  size: number,
  acks: number,
  label: string,
  partitions = 1,
  keep = false,
): Promise<BenchResult> {
  const topic = `bench-${size}-acks${acks < 0 ? 'all' : acks}-p${partitions}`;
  await settle();
  await createTopicOn(broker.port, topic, partitions);
  const pool = producePool({ topic, recordSize: size, acks, partitions, partitionsPerRequest: 16 });
  const usage = startUsage(broker.pid);
  const r = await produceLoad({
    port: broker.port,
    pool,
    connections: o.connections,
    window: o.window,
    warmupMs: o.warmupMs,
    durationMs: o.durationMs,
  });
  const u = usage.stop();
  if (!keep) await deleteTopic(broker.port, topic);
  const note = r.errors > 0 ? `${r.errors} requests failed: ${r.firstError}` : undefined;
  return throughputRow({ system: SYSTEM, client: LEAN, workload: label }, r, u, note);
}

async function startupRows(o: BenchOptions, first: SamsaProcess, emit: Emit): Promise<void> {
  const times = [first.startupMs];
  for (let i = 1; i < (o.quick ? 3 : 7); i++) {
    const b = await startSamsa();
    times.push(b.startupMs);
    await b.stop();
  }
  times.sort((a, b) => a - b);
  emit({
    ...unavailable(SYSTEM, 'TCP connect', 'startup to first accepted connection', ''),
    p50_ms: round(times[Math.floor(times.length / 2)], 1),
    p99_ms: round(times[times.length - 1], 1),
    note: `spawn of \`node bin/samsa.js start\` to first accepted TCP connection; ${times.length} run(s), p99 = slowest; runs ${brokerBuildMode()}`,
  });
  await sleep(1000);
  emit({
    ...unavailable(SYSTEM, '-', 'idle RSS', ''),
    rss_mb: round(memoryMb([first.pid]), 1),
    note: `broker RSS 1 s after startup plus the startup probes, no topics; runs ${brokerBuildMode()}`,
  });
}

export async function samsaSuite(o: BenchOptions, emit: Emit): Promise<void> {
  let broker: SamsaProcess;
  try {
    broker = await startSamsa();
  } catch (err) {
    emit(unavailable(SYSTEM, LEAN, 'all', `broker did not start: ${(err as Error).message}`));
    return;
  }
  try {
    await startupRows(o, broker, emit);
    emit(
      await connectRssRow(broker).catch((err) =>
        unavailable(SYSTEM, '-', 'Connect worker idle RSS', (err as Error).message),
      ),
    );
    // 100 B acks=1 first and consumed at once, then deleted: every topic is deleted right after
    // its workload and dirty pages synced, so one workload's writeback does not slow the next.
    emit(await produceRow(o, broker, 100, 1, 'produce 100 B acks=1', 1, true));
    const topic = 'bench-100-acks1-p1';
    const end = await highWatermark(broker.port, topic);
    const usage = startUsage(broker.pid);
    const c = await repeatPasses(minConsumeMs(o.quick), 20, () =>
      consumeLoad({
        port: broker.port,
        topic,
        endOffset: end,
        partitionMaxBytes: 4 << 20,
        durationMs: o.quick ? 5000 : 30000,
        recordSize: 100,
      }),
    );
    emit(
      throughputRow(
        { system: SYSTEM, client: LEAN, workload: 'consume 100 B from start' },
        c,
        usage.stop(),
        [
          `${c.records} records in ${c.passes} pass(es) of ${end} from the start, 4 MiB per fetch`,
          c.error ? `error: ${c.error}` : '',
        ]
          .filter(Boolean)
          .join('; '),
      ),
    );
    await deleteTopic(broker.port, topic);
    for (const [size, acks] of [
      [100, -1],
      [1024, 1],
      [1024, -1],
    ] as const) {
      emit(await produceRow(o, broker, size, acks, `produce ${sizeLabel(size)} acks=${acks}`));
    }
    for (const rate of [1000, 10000, 50000]) {
      await settle();
      const lt = `latency-${rate}`;
      await createTopicOn(broker.port, lt, 1);
      const usage = startUsage(broker.pid);
      const l = await runInChild<LatencyResult>(
        new URL('../kafka/latency.ts', import.meta.url),
        'latencyRun',
        [
          {
            port: broker.port,
            topic: lt,
            rate,
            recordSize: 100,
            warmupMs: o.warmupMs,
            durationMs: o.latencyMs,
          },
        ],
      );
      emit(
        latencyRow(
          { system: SYSTEM, client: LEAN, workload: `e2e latency ${rate / 1000}k rec/s` },
          { ...l, records: l.received, seconds: l.seconds },
          usage.stop(),
          l.error
            ? `error: ${l.error}`
            : `${l.received}/${l.sent} records received; 1 ms producer ticks, acks=1`,
        ),
      );
    }
    const t0 = performance.now();
    await createTopicOn(broker.port, 'bench-100-acks1-p1000', 1000);
    const createMs = performance.now() - t0;
    const wide = await produceRow(o, broker, 100, 1, 'produce 100 B acks=1, 1000 partitions', 1000, true);
    wide.note = `16 partitions per request, rotating; topic creation took ${Math.round(createMs)} ms`;
    emit(wide);
    const md = await metadataLatency(broker.port, 'bench-100-acks1-p1000', o.quick ? 200 : 2000, 10000);
    emit(
      latencyRow(
        { system: SYSTEM, client: LEAN, workload: 'metadata 1000 partitions' },
        md,
        null,
        `${md.count} sequential Metadata v12 requests, ${md.partitions} partitions`,
      ),
    );
    emit(await realClientRow(o, broker));
    const py = findPython();
    if (py) {
      await createTopicOn(broker.port, 'bench-confluent', 1);
      const usage = startUsage(broker.pid);
      const cf = await confluentProduce(py, broker.port, 'bench-confluent', 100, o.durationMs / 1000, 1);
      const u = usage.stop();
      await deleteTopic(broker.port, 'bench-confluent');
      emit(
        throughputRow(
          {
            system: SYSTEM,
            client: 'confluent-kafka (librdkafka, Python)',
            workload: 'produce 100 B acks=1',
          },
          { ...cf, payloadBytes: cf.records * 100 },
          u,
          cf.error ?? 'Python produce() loop, linger.ms=5; time includes the final flush',
        ),
      );
    }
  } finally {
    await broker.stop();
  }
  await settle();
  await durableRows(o, emit);
}

async function realClientRow(o: BenchOptions, broker: SamsaProcess): Promise<BenchResult> {
  const topic = 'bench-platformatic';
  await createTopicOn(broker.port, topic, 1);
  const usage = startUsage(broker.pid);
  const r = await platformaticProduce({
    port: broker.port,
    topic,
    recordSize: 100,
    acks: 1,
    messagesPerSend: 500,
    inFlight: 16,
    warmupMs: o.warmupMs,
    durationMs: o.durationMs,
  });
  const u = usage.stop();
  await deleteTopic(broker.port, topic);
  return throughputRow(
    { system: SYSTEM, client: '@platformatic/kafka', workload: 'produce 100 B acks=1' },
    { ...r, payloadBytes: r.records * 100 },
    u,
    r.error ? `error: ${r.error}` : '500 messages per send(), 16 sends in flight',
  );
}

async function durableRows(o: BenchOptions, emit: Emit): Promise<void> {
  let broker: SamsaProcess;
  try {
    broker = await startSamsa('always');
  } catch (err) {
    emit(
      unavailable(
        SYSTEM,
        LEAN,
        'produce acks=-1 fsync=always',
        `broker did not start: ${(err as Error).message}`,
      ),
    );
    return;
  }
  try {
    for (const size of o.quick ? [100] : [100, 1024]) {
      emit(await produceRow(o, broker, size, -1, `produce ${sizeLabel(size)} acks=-1 fsync=always`));
    }
  } finally {
    await broker.stop();
  }
}
