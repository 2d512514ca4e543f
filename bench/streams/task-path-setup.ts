/**
 * The stateless figure's task path without a broker, shared by task-path.ts and task-path-ab.ts:
 * RecordBatch bytes of 8,000 records (100-byte JSON values, as throughput.ts) → `StreamTask`
 * (mapValues → filter → sink, deserialized from the fetched bytes) → a collector that writes each
 * output record into one `RecordBatchBuilder` per partition, as the runtime's does. The modules are
 * imported from a given checkout's src/, so two checkouts can be compared.
 */
import pino from 'pino';

type Page = { user: string; page: string; ms: number };
/** Builds the task path from `root`'s src/; the function returned runs it `rounds` times over 8,000 records. */
export async function taskPath(root: string): Promise<(rounds: number) => number> {
  const { RecordBatchBuilder } = await import(`${root}/src/client/record-batch-builder.ts`);
  const { StreamsBuilder, Serdes } = await import(`${root}/src/streams/index.ts`);
  const { parseStreamsConfig } = await import(`${root}/src/streams/config.ts`);
  const { StreamsMetrics } = await import(`${root}/src/streams/runtime/metrics.ts`);
  const { StreamTask } = await import(`${root}/src/streams/runtime/stream-task.ts`);
  const S = Serdes.String();
  const b = new StreamsBuilder();
  b.stream('in', { keySerde: S, valueSerde: Serdes.JSON() })
    .mapValues((v: Page) => ({ ...v, page: v.page.toUpperCase() }))
    .filter((_k: string, v: Page) => v.ms >= 0)
    .to('out', { keySerde: S, valueSerde: Serdes.JSON() });
  const logger = pino({ level: 'silent' });
  const config = parseStreamsConfig({ 'application.id': 'task-path' }, { requireBootstrap: false });
  const builders = [0, 1, 2, 3].map(() => new RecordBatchBuilder());
  const add = (key: unknown, value: unknown, timestamp: number, partition: number | undefined) => {
    const builder = builders[partition ?? 0]!;
    builder.append(key, value, timestamp);
    if (builder.bytes >= 256 * 1024) {
      const batch = builder.finish();
      builder.recycle?.(batch); // acknowledged at once (older checkouts have no recycle)
    }
  };
  const env = {
    applicationId: 'task-path',
    defaultKeySerde: S,
    defaultValueSerde: S,
    internalKeySerde: S,
    internalValueSerde: S,
    deserializationHandler: config.deserializationHandler(logger),
    cacheMaxBytes: 0,
    resolveTopic: (t: string) => t,
    collector: {
      send: (_t: string, k: unknown, v: unknown, ts: number, _h: unknown, p: number | undefined) =>
        add(k, v, ts, p),
      sendText: (_t: string, k: unknown, v: unknown, ts: number, _h: unknown, p: number | undefined) =>
        add(k, v, ts, p),
      partitionsFor: () => 4,
    },
    stateDir: null,
    changelogTopic: () => null,
    globalStore: () => undefined,
    systemTime: () => 0,
    metrics: new StreamsMetrics(),
    logger,
  };
  const task = new StreamTask(b.build(), 0, 0, env);
  task.initStores();
  task.initProcessors();
  const N = 8_000;
  const value = (i: number) =>
    JSON.stringify({ user: `user-${i % 10_000}`, page: `/p/${i % 97}`, ms: i, pad: 'x'.repeat(32) }).padEnd(
      100,
      ' ',
    );
  const parts: Buffer[] = [];
  for (let i = 0; i < N; i += 500) {
    const builder = new RecordBatchBuilder();
    for (let j = i; j < i + 500; j++)
      builder.append(Buffer.from(`user-${j % 10_000}`), Buffer.from(value(j)), 1_700_000_000_000 + j);
    const batch = Buffer.from(builder.finish());
    batch.writeUInt32BE(i, 4);
    parts.push(batch);
  }
  const fetched = {
    topic: 'in',
    partition: 0,
    errorCode: 0,
    highWatermark: N,
    lastStableOffset: N,
    logStartOffset: 0,
    aborted: null,
    records: Buffer.concat(parts),
  };
  return (rounds: number) => {
    for (let r = 0; r < rounds; r++) {
      task.addFetched('in', 0, fetched, 0);
      while (task.process(10_000) > 0) {}
    }
    return rounds * N;
  };
}
