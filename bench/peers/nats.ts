/**
 * NATS JetStream with file storage: a nats-server we start (-js, store in a temp dir) on a free
 * port, or the machine's server on 4222 when the binary is missing but the port answers. Client:
 * our lean NATS protocol connection (nats-raw.ts): pipelined PUBs with thousands awaiting their
 * PubAck, and an AckNone pull consumer with two pulls outstanding. (The official @nats-io/jetstream
 * client tops out near 25k publishes/s here, bound by its own CPU.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInChild } from '../lib/child-run.ts';
import { canConnect, freePort, HOST, waitForPort } from '../lib/net.ts';
import type { BenchOptions, LatencyWindow } from '../lib/options.ts';
import { LatencySamples } from '../lib/percentiles.ts';
import { pidListeningOn, startUsage } from '../lib/proc-stats.ts';
import { drain, removeDir, spawnTracked, stopPid, trackDir } from '../lib/procs.ts';
import { unavailable } from '../lib/result.ts';
import { latencyRow, sizeLabel, throughputRow } from '../lib/rows.ts';
import { type Emit, paced, payload, which } from './common.ts';
import { NatsRaw } from './nats-raw.ts';

const SYSTEM = 'NATS JetStream (file)';
const CLIENT = 'pipelined NATS protocol (own)';

async function produce(port: number, subject: string, size: number, o: BenchOptions) {
  const nc = await NatsRaw.open(port);
  const inbox = `_INBOX.samsa.acks.${process.pid}`;
  const frame = NatsRaw.pub(subject, inbox, payload(size));
  const window = 4000;
  let acked = 0;
  let errors = 0;
  let inFlight = window;
  let sending = true;
  nc.subscribe(inbox, (m) => {
    inFlight--;
    if (m.headers || m.data.includes('"error"')) errors++;
    else acked++;
    if (sending && inFlight <= window / 2) {
      nc.write(Array.from({ length: window - inFlight }, () => frame));
      inFlight = window;
    }
  });
  nc.write(Array.from({ length: window }, () => frame));
  await new Promise((r) => setTimeout(r, o.warmupMs));
  const a0 = acked;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, o.durationMs));
  const records = acked - a0;
  const seconds = (performance.now() - t0) / 1000;
  sending = false;
  await new Promise((r) => setTimeout(r, 300));
  nc.close();
  return { records, payloadBytes: records * size, seconds, errors };
}

/**
 * An ephemeral pull consumer (AckNone). Pulls of `batch` messages expiring after 100 ms are issued
 * every 40 ms and after every `batch` messages received, so one is always waiting at the server.
 */
async function pullConsumer(
  nc: NatsRaw,
  stream: string,
  deliver: 'all' | 'new',
  batch: number,
  onMsg: (data: Buffer) => void,
): Promise<() => void> {
  const config = { ack_policy: 'none', deliver_policy: deliver, inactive_threshold: 60e9, max_batch: batch };
  const res = JSON.parse(
    (
      await nc.request(`$JS.API.CONSUMER.CREATE.${stream}`, JSON.stringify({ stream_name: stream, config }))
    ).toString(),
  ) as { name?: string; error?: { description: string } };
  if (!res.name) throw new Error(`consumer create: ${res.error?.description}`);
  const inbox = `_INBOX.samsa.pull.${res.name}`;
  const next = NatsRaw.pub(
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.${res.name}`,
    inbox,
    Buffer.from(JSON.stringify({ batch, expires: 100e6 })),
  );
  let count = 0;
  nc.subscribe(inbox, (m) => {
    if (m.headers) return; // status: 404 no messages / 408 pull expired
    onMsg(m.data);
    if (++count % batch === 0) nc.write([next]);
  });
  nc.write([next, next]);
  const timer = setInterval(() => nc.write([next]), 40);
  return () => clearInterval(timer);
}

async function consume(port: number, stream: string, size: number, limitMs: number) {
  const nc = await NatsRaw.open(port);
  const info = JSON.parse((await nc.request(`$JS.API.STREAM.INFO.${stream}`, '')).toString()) as {
    state: { messages: number };
  };
  const total = info.state.messages;
  let records = 0;
  const done = Promise.withResolvers<void>();
  const t0 = performance.now();
  const stop = await pullConsumer(nc, stream, 'all', 10000, () => {
    if (++records >= total) done.resolve();
  });
  await Promise.race([done.promise, new Promise((r) => setTimeout(r, limitMs))]);
  const seconds = (performance.now() - t0) / 1000;
  stop();
  nc.close();
  return { records, payloadBytes: records * size, seconds, total };
}

/** End-to-end latency; runs in a child process (child-run.ts). */
export async function natsLatency(
  port: number,
  stream: string,
  subject: string,
  rate: number,
  o: LatencyWindow,
) {
  const producer = await NatsRaw.open(port);
  const consumer = await NatsRaw.open(port);
  const samples = new LatencySamples(Math.ceil((rate * (o.latencyMs + 2000)) / 1000));
  const measureFrom = performance.now() + o.warmupMs;
  let received = 0;
  const stop = await pullConsumer(consumer, stream, 'new', 1000, (data) => {
    const sentAt = data.readDoubleBE(0);
    if (sentAt >= measureFrom) samples.add(performance.now() - sentAt);
    received++;
  });
  const inbox = `_INBOX.samsa.lat.${process.pid}`;
  producer.subscribe(inbox, () => {});
  const sent = await paced(rate, o.warmupMs + o.latencyMs, (due) => {
    const frames: Buffer[] = [];
    for (let i = 0; i < due; i++) frames.push(NatsRaw.pub(subject, inbox, payload(100, true)));
    producer.write(frames);
  });
  const deadline = performance.now() + 2000;
  while (received < sent && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  stop();
  producer.close();
  consumer.close();
  const [p50, p99, p999] = samples.percentiles([50, 99, 99.9]);
  return { p50: p50 ?? null, p99: p99 ?? null, p999: p999 ?? null, sent, received };
}

export async function natsSuite(o: BenchOptions, emit: Emit): Promise<void> {
  const bin = which('nats-server', ['/usr/sbin', '/usr/local/bin']);
  let port = 4222;
  let pid: number | null = null;
  let ownPid: number | null = null;
  const dir = trackDir(mkdtempSync(join(tmpdir(), 'samsa-bench-nats-')));
  if (bin) {
    port = await freePort();
    const child = spawnTracked('nats', bin, ['-a', HOST, '-p', String(port), '-js', '-sd', dir]);
    drain(child);
    ownPid = pid = child.pid!;
  } else if (await canConnect(4222)) {
    pid = pidListeningOn(4222);
  } else {
    emit(unavailable(SYSTEM, CLIENT, 'all', 'not available: no nats-server binary and nothing on 4222'));
    return;
  }
  let nc: NatsRaw | null = null;
  const streams: string[] = [];
  try {
    await waitForPort(port, 10000, 10);
    nc = await NatsRaw.open(port);
    const admin = nc;
    const addStream = async (name: string): Promise<void> => {
      const body = JSON.stringify({ name, subjects: [`${name}.in`], storage: 'file', num_replicas: 1 });
      const res = JSON.parse((await admin.request(`$JS.API.STREAM.CREATE.${name}`, body)).toString()) as {
        error?: { description: string };
      };
      if (res.error) throw new Error(`stream create: ${res.error.description}`);
      streams.push(name);
    };
    for (const size of o.quick ? [100] : [100, 1024]) {
      const name = `samsa_bench_${size}_${process.pid}`;
      await addStream(name);
      const usage = startUsage(pid);
      const r = await produce(port, `${name}.in`, size, o);
      emit(
        throughputRow(
          { system: SYSTEM, client: CLIENT, workload: `produce ${sizeLabel(size)}` },
          r,
          usage.stop(),
          `pipelined PUB, 4000 awaiting their PubAck${r.errors ? `; ${r.errors} errors` : ''}`,
        ),
      );
    }
    const first = streams[0]!;
    const usage = startUsage(pid);
    const c = await consume(port, first, 100, o.quick ? 5000 : 30000);
    emit(
      throughputRow(
        { system: SYSTEM, client: CLIENT, workload: 'consume 100 B from start' },
        c,
        usage.stop(),
        `${c.records} of ${c.total} messages, pull consumer (AckNone), pulls of 10000`,
      ),
    );
    const lname = `samsa_bench_lat_${process.pid}`;
    await addStream(lname);
    const lu = startUsage(pid);
    const l = await runInChild<Awaited<ReturnType<typeof natsLatency>>>(
      new URL(import.meta.url),
      'natsLatency',
      [port, lname, `${lname}.in`, 10000, { warmupMs: o.warmupMs, latencyMs: o.latencyMs }],
    );
    emit(
      latencyRow(
        { system: SYSTEM, client: CLIENT, workload: 'e2e latency 10k rec/s' },
        { ...l, records: l.received, seconds: (o.warmupMs + o.latencyMs) / 1000 },
        lu.stop(),
        `${l.received}/${l.sent} received; PUB paced in 1 ms ticks, pull consumer`,
      ),
    );
  } finally {
    if (nc) {
      if (ownPid === null)
        for (const s of streams) await nc.request(`$JS.API.STREAM.DELETE.${s}`, '').catch(() => {});
      nc.close();
    }
    if (ownPid !== null) await stopPid(ownPid);
    removeDir(dir);
  }
}
