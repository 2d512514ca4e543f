/**
 * Redis Streams with append-only file, fsync every second: a redis-server we start on a free port
 * (--appendonly yes --appendfsync everysec, data in a temp dir). Client: our own pipelined RESP
 * client (pre-encoded XADD, hundreds in flight), the fastest way to drive Redis from Node.
 * One XADD per record (a stream entry is a record); consume walks XRANGE from the start.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInChild } from '../lib/child-run.ts';
import { freePort, HOST, waitForPort } from '../lib/net.ts';
import type { BenchOptions, LatencyWindow } from '../lib/options.ts';
import { LatencySamples } from '../lib/percentiles.ts';
import { startUsage } from '../lib/proc-stats.ts';
import { drain, removeDir, spawnTracked, stopPid, trackDir } from '../lib/procs.ts';
import { unavailable } from '../lib/result.ts';
import { latencyRow, sizeLabel, throughputRow } from '../lib/rows.ts';
import { type Emit, paced, payload, which } from './common.ts';
import { encodeCommand, type Reply, RespConn } from './resp.ts';

const SYSTEM = 'Redis Streams (AOF everysec)';
const CLIENT = 'pipelined RESP (own)';

async function produce(port: number, key: string, size: number, o: BenchOptions) {
  const cmd = encodeCommand(['XADD', key, '*', 'v', payload(size)]);
  // 1-4 connections and 512-2048 in flight all measured the same here; Redis is the limit.
  const window = 512;
  const conns = await Promise.all([RespConn.open(port), RespConn.open(port)]);
  let acked = 0;
  let errors = 0;
  let sending = true;
  for (const c of conns) {
    let inFlight = 0;
    const block = Array.from({ length: window }, () => cmd);
    c.onReply = (r: Reply) => {
      inFlight--;
      if (r instanceof Error) errors++;
      else acked++;
      if (sending && inFlight <= window / 2) {
        c.writeRaw(block.slice(0, window - inFlight));
        inFlight = window;
      }
    };
    c.writeRaw(block);
    inFlight = window;
  }
  await new Promise((r) => setTimeout(r, o.warmupMs));
  const a0 = acked;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, o.durationMs));
  const records = acked - a0;
  const seconds = (performance.now() - t0) / 1000;
  sending = false;
  await new Promise((r) => setTimeout(r, 200));
  for (const c of conns) c.close();
  return { records, payloadBytes: records * size, seconds, errors };
}

async function consume(port: number, key: string, size: number, limitMs: number) {
  const c = await RespConn.open(port);
  const total = Number(await c.call(['XLEN', key]));
  let from = '-';
  let records = 0;
  const t0 = performance.now();
  while (records < total && performance.now() - t0 < limitMs) {
    const r = await c.call(['XRANGE', key, from, '+', 'COUNT', '2000']);
    if (!Array.isArray(r) || r.length === 0) break;
    records += r.length;
    const last = r[r.length - 1] as Reply[];
    from = `(${(last[0] as Buffer).toString()}`;
  }
  const seconds = (performance.now() - t0) / 1000;
  c.close();
  return { records, payloadBytes: records * size, seconds, total };
}

/** End-to-end latency; runs in a child process (child-run.ts). */
export async function redisLatency(port: number, key: string, rate: number, o: LatencyWindow) {
  const producer = await RespConn.open(port);
  const consumer = await RespConn.open(port);
  const samples = new LatencySamples(Math.ceil((rate * (o.latencyMs + 2000)) / 1000));
  let last = '$';
  let received = 0;
  let running = true;
  const measureFrom = performance.now() + o.warmupMs;
  const reader = (async () => {
    while (running) {
      const r = await consumer.call(['XREAD', 'COUNT', '10000', 'BLOCK', '100', 'STREAMS', key, last]);
      const now = performance.now();
      if (!Array.isArray(r)) continue;
      const entries = (r[0] as Reply[])[1] as Reply[][];
      for (const e of entries) {
        const fields = e[1] as Buffer[];
        const sentAt = fields[1]!.readDoubleBE(0);
        if (sentAt >= measureFrom) samples.add(now - sentAt);
        received++;
      }
      last = ((entries[entries.length - 1] as Reply[])[0] as Buffer).toString();
    }
  })();
  producer.onReply = () => {};
  const sent = await paced(rate, o.warmupMs + o.latencyMs, (due) => {
    const cmds: Buffer[] = [];
    for (let i = 0; i < due; i++) cmds.push(encodeCommand(['XADD', key, '*', 'v', payload(100, true)]));
    producer.writeRaw(cmds);
  });
  const deadline = performance.now() + 2000;
  while (received < sent && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  running = false;
  await Promise.race([reader, new Promise((r) => setTimeout(r, 500))]);
  producer.close();
  consumer.close();
  const [p50, p99, p999] = samples.percentiles([50, 99, 99.9]);
  return { p50: p50 ?? null, p99: p99 ?? null, p999: p999 ?? null, sent, received };
}

export async function redisSuite(o: BenchOptions, emit: Emit): Promise<void> {
  const bin = which('redis-server', ['/usr/sbin', '/usr/local/bin']);
  if (!bin) {
    emit(unavailable(SYSTEM, CLIENT, 'all', 'not available: redis-server not installed'));
    return;
  }
  const dir = trackDir(mkdtempSync(join(tmpdir(), 'samsa-bench-redis-')));
  const port = await freePort();
  const child = spawnTracked('redis', bin, [
    '--bind',
    HOST,
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
  ]);
  drain(child);
  try {
    await waitForPort(port, 10000, 10);
    const pid = child.pid!;
    for (const size of o.quick ? [100] : [100, 1024]) {
      const usage = startUsage(pid);
      const r = await produce(port, `bench-${size}`, size, o);
      emit(
        throughputRow(
          { system: SYSTEM, client: CLIENT, workload: `produce ${sizeLabel(size)}` },
          r,
          usage.stop(),
          `one XADD per record, 2 connections x 512 pipelined${r.errors ? `; ${r.errors} errors` : ''}`,
        ),
      );
    }
    const usage = startUsage(pid);
    const c = await consume(port, 'bench-100', 100, o.quick ? 5000 : 30000);
    emit(
      throughputRow(
        { system: SYSTEM, client: CLIENT, workload: 'consume 100 B from start' },
        c,
        usage.stop(),
        `${c.records} of ${c.total} entries, XRANGE COUNT 2000`,
      ),
    );
    const lu = startUsage(pid);
    const l = await runInChild<Awaited<ReturnType<typeof redisLatency>>>(
      new URL(import.meta.url),
      'redisLatency',
      [port, 'latency', 10000, { warmupMs: o.warmupMs, latencyMs: o.latencyMs }],
    );
    emit(
      latencyRow(
        { system: SYSTEM, client: CLIENT, workload: 'e2e latency 10k rec/s' },
        { ...l, records: l.received, seconds: (o.warmupMs + o.latencyMs) / 1000 },
        lu.stop(),
        `${l.received}/${l.sent} received; XADD paced in 1 ms ticks, XREAD BLOCK`,
      ),
    );
  } finally {
    await stopPid(child.pid!);
    removeDir(dir);
  }
}
