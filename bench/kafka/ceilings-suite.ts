/**
 * Each Kafka client's own ceiling: the lean generator (produce and consume), @platformatic/kafka
 * and librdkafka (confluent-kafka-python) against the null sink, which stores nothing, so the figure is what the client can push.
 */
import type { BenchOptions } from '../lib/options.ts';
import { startUsage } from '../lib/proc-stats.ts';
import { stopPid } from '../lib/procs.ts';
import { type BenchResult, unavailable } from '../lib/result.ts';
import { sizeLabel, throughputRow } from '../lib/rows.ts';
import { producePool } from './batches.ts';
import { confluentProduce, findPython } from './confluent.ts';
import { consumeLoad } from './consume-load.ts';
import { startNullSink } from './null-sink-process.ts';
import { platformaticProduce } from './platformatic.ts';
import { produceLoad } from './produce-load.ts';

const SYSTEM = 'null sink (client ceiling)';

export async function clientCeilingsSuite(o: BenchOptions, emit: (r: BenchResult) => void): Promise<void> {
  const sink = await startNullSink();
  try {
    for (const size of [100, 1024]) {
      const usage = startUsage(sink.pid);
      const r = await produceLoad({
        port: sink.port,
        pool: producePool({ topic: 'null', recordSize: size, acks: 1 }),
        connections: o.connections,
        window: o.window,
        warmupMs: o.warmupMs,
        durationMs: o.durationMs,
      });
      emit(
        throughputRow(
          {
            system: SYSTEM,
            client: 'lean generator (own codec)',
            workload: `produce ${sizeLabel(size)} acks=1`,
          },
          r,
          usage.stop(),
        ),
      );
    }
    const usage = startUsage(sink.pid);
    const c = await consumeLoad({
      port: sink.port,
      topic: 'null',
      endOffset: 1n << 60n,
      partitionMaxBytes: 4 << 20,
      durationMs: o.durationMs,
      recordSize: 100,
    });
    emit(
      throughputRow(
        { system: SYSTEM, client: 'lean generator (own codec)', workload: 'consume 100 B from start' },
        c,
        usage.stop(),
        c.error,
      ),
    );
    const pu = startUsage(sink.pid);
    const p = await platformaticProduce({
      port: sink.port,
      topic: 'null',
      recordSize: 100,
      acks: 1,
      messagesPerSend: 500,
      inFlight: 16,
      warmupMs: o.warmupMs,
      durationMs: o.durationMs,
    });
    emit(
      throughputRow(
        { system: SYSTEM, client: '@platformatic/kafka', workload: 'produce 100 B acks=1' },
        { ...p, payloadBytes: p.records * 100 },
        pu.stop(),
        p.error,
      ),
    );
    const py = findPython();
    if (py) {
      const cu = startUsage(sink.pid);
      const cf = await confluentProduce(py, sink.port, 'null', 100, o.durationMs / 1000, 1);
      emit(
        throughputRow(
          {
            system: SYSTEM,
            client: 'confluent-kafka (librdkafka, Python)',
            workload: 'produce 100 B acks=1',
          },
          { ...cf, payloadBytes: cf.records * 100 },
          cu.stop(),
          cf.error ?? 'Python produce() loop, linger.ms=5; time includes the final flush',
        ),
      );
    } else {
      emit(
        unavailable(
          SYSTEM,
          'confluent-kafka (librdkafka, Python)',
          'produce 100 B acks=1',
          'not available: python3 cannot import confluent_kafka',
        ),
      );
    }
  } finally {
    await stopPid(sink.pid);
  }
}
