/**
 * Throughput of the Connect runtime itself, with connectors that cost nothing: a source task that
 * returns 2,000 ready records per poll (JsonConverter with schemas, ~100 B values) and a sink task
 * that discards what it gets, one task each, against a Samsa broker child; the worker runs in this
 * process. Figures: source records/s produced and acknowledged, sink records/s through `put`.
 * Run: `node bench/samsa/connect-throughput.ts [records]` (default 500,000).
 */
import pino from 'pino';
import type {
  SinkConnectorPlugin,
  SourceConnectorPlugin,
  SourceRecord,
} from '../../src/connect/api/index.ts';
import { Schemas } from '../../src/connect/api/index.ts';
import { startWorker } from '../../src/connect/runtime/index.ts';
import { installCleanupHandlers, stopAll } from '../lib/procs.ts';
import { startSamsa } from './broker-process.ts';

const TOTAL = Number(process.argv[2] ?? 500_000);
const BATCH = 2000;
const schema = Schemas.struct([
  ['id', Schemas.int64()],
  ['name', Schemas.string()],
  ['amount', Schemas.float64()],
]);

let produced = 0;
let sourceDone: (() => void) | null = null;
const source: SourceConnectorPlugin = {
  type: 'source',
  className: 'bench.Source',
  version: '1',
  config: [],
  createConnector: () => ({ start() {}, taskConfigs: () => [{}], stop() {} }),
  createTask: () => ({
    async start() {},
    async poll() {
      if (produced >= TOTAL) {
        await new Promise((r) => setTimeout(r, 100));
        return null;
      }
      const out: SourceRecord[] = [];
      for (let i = 0; i < BATCH && produced < TOTAL; i++, produced++) {
        out.push({
          topic: 'bench-connect',
          kafkaPartition: null,
          keySchema: null,
          key: null,
          valueSchema: schema,
          value: { id: produced, name: `customer-${produced % 1000}`, amount: produced * 0.5 },
          timestamp: null,
          headers: [],
          sourcePartition: { p: 0 },
          sourceOffset: { n: produced },
        });
      }
      return out;
    },
    async commit(committed) {
      if (committed.some((c) => c.offset.n === TOTAL - 1)) sourceDone?.();
    },
    async stop() {},
  }),
};

let consumed = 0;
let firstPut = 0;
let sinkDone: (() => void) | null = null;
const sink: SinkConnectorPlugin = {
  type: 'sink',
  className: 'bench.Sink',
  version: '1',
  config: [],
  createConnector: () => ({ start() {}, taskConfigs: () => [{}], stop() {} }),
  createTask: () => ({
    async start() {},
    async put(records) {
      if (records.length > 0 && firstPut === 0) firstPut = performance.now();
      consumed += records.length;
      if (consumed >= TOTAL) sinkDone?.();
    },
    async stop() {},
  }),
};

installCleanupHandlers();
const broker = await startSamsa();
const worker = await startWorker({
  bootstrap: `127.0.0.1:${broker.port}`,
  properties: {
    'offset.flush.interval.ms': '1000',
    'offset.storage.partitions': '1',
    'status.storage.partitions': '1',
  },
  settings: { restPort: 0 },
  plugins: [source, sink],
  logger: pino({ level: 'warn' }),
});
try {
  const post = (body: unknown) =>
    fetch(`${worker.restUrl}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const sourceFinished = new Promise<void>((r) => (sourceDone = r));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await post({ name: 'bench-source', config: { 'connector.class': 'bench.Source' } });
  await sourceFinished;
  const sourceSeconds = (performance.now() - t0) / 1000;
  const sourceCpu = process.cpuUsage(cpu0);
  const cpu1 = process.cpuUsage();
  const sinkFinished = new Promise<void>((r) => (sinkDone = r));
  await post({ name: 'bench-sink', config: { 'connector.class': 'bench.Sink', topics: 'bench-connect' } });
  await sinkFinished;
  const sinkSeconds = (performance.now() - firstPut) / 1000;
  const sinkCpu = process.cpuUsage(cpu1);
  const cpuText = (u: NodeJS.CpuUsage) => `${((u.user + u.system) / 1e6).toFixed(2)} s worker CPU`;
  console.log(
    `source: ${TOTAL} records in ${sourceSeconds.toFixed(2)} s = ${Math.round(TOTAL / sourceSeconds)} records/s (offsets committed; ${cpuText(sourceCpu)})`,
  );
  console.log(
    `sink:   ${TOTAL} records in ${sinkSeconds.toFixed(2)} s = ${Math.round(TOTAL / sinkSeconds)} records/s (first put to last; ${cpuText(sinkCpu)} incl. join)`,
  );
} finally {
  await worker.stop();
  await stopAll();
}
