/**
 * Issue 19 item 9 at full size: a `samsa start` broker (default settings) holds a 60 MB topic; 10
 * raw connections each pipeline 300 Fetch requests (max 50 MB) and never read. The broker's RSS,
 * sampled every 50 ms from /proc, must stay under RSS_BOUND; a normal producer
 * (python3-confluent-kafka, acks=all) must deliver meanwhile; and once the connections close, RSS
 * must come back to within RETURN_MARGIN of what it was before they opened. The small version is
 * test/broker/response-memory.test.ts. Prints the figures docs/benchmarks.md quotes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRecordBatch } from '../../src/protocol/records/batch.ts';
import { autoCreateTopic, produceBatch, WireClient } from '../../test/broker/kafka-wire.ts';
import { startBrokerProcess } from '../../test/helpers/broker-process.ts';
import { PYTHON } from '../../test/helpers/run.ts';
import { fetchFrame as rawFetchFrame } from '../kafka/frames.ts';

const TOPIC = 'sixty-mb';
const TOPIC_BYTES = 60 * 1024 * 1024;
const RECORD_BYTES = 1000;
const RECORDS_PER_BATCH = 900;
const CONNECTIONS = 10;
const PIPELINED = 300;
const FETCH_MAX = 50 * 1024 * 1024;
const HOLD_MS = 20_000;
const RSS_BOUND = 512 * 1024 * 1024;
const RETURN_MARGIN = 64 * 1024 * 1024;
const MiB = 1024 * 1024;

function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function fetchFrame(correlationId: number): Buffer {
  return rawFetchFrame(
    [{ topic: TOPIC, partition: 0, offset: 0n, partitionMaxBytes: FETCH_MAX }],
    { maxWaitMs: 500, minBytes: 1, maxBytes: FETCH_MAX },
    correlationId,
  );
}

const PRODUCE = `
import sys, time
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1], 'acks': 'all', 'message.timeout.ms': 15000})
failed = []
def report(err, msg):
    if err is not None: failed.append(str(err))
start = time.time()
for i in range(5000):
    p.produce('normal-producer', value=('value-%d' % i).encode(), on_delivery=report)
    p.poll(0)
left = p.flush(30)
print('delivered=%d failed=%d left=%d in %.2f s' % (5000 - len(failed) - left, len(failed), left, time.time() - start))
sys.exit(1 if left or failed else 0)
`;

function runProducer(bootstrap: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['-c', PRODUCE, bootstrap], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out: out.trim() });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dataDir = mkdtempSync(join(tmpdir(), 'samsa-memory-bound-'));
const broker = await startBrokerProcess(dataDir, ['--no-registry', '--no-proxy', '--no-connect']);
const pid = broker.child.pid!;
let failed = false;
try {
  const c = await WireClient.open(broker.port);
  await autoCreateTopic(c, TOPIC);
  const value = Buffer.alloc(RECORD_BYTES, 7);
  const batch = buildRecordBatch({
    records: Array.from({ length: RECORDS_PER_BATCH }, () => ({ key: null, value })),
  });
  for (let written = 0; written < TOPIC_BYTES; written += batch.length) {
    const p = await produceBatch(c, TOPIC, batch, 1);
    if (p.errorCode !== 0) throw new Error(`produce failed: ${p.errorCode}`);
  }
  c.close();
  await sleep(2000);
  const before = rss(pid);
  console.log(
    `topic ${TOPIC}: ${TOPIC_BYTES / MiB} MiB; broker RSS before: ${(before / MiB).toFixed(0)} MiB`,
  );

  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss(pid));
  }, 50);
  const sockets: Socket[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const s = connect(broker.port, '127.0.0.1');
    await new Promise<void>((resolve) => s.once('connect', resolve));
    s.on('error', () => {});
    s.pause();
    for (let id = 1; id <= PIPELINED; id++) s.write(fetchFrame(id));
    sockets.push(s);
  }
  console.log(
    `${CONNECTIONS} connections × ${PIPELINED} pipelined Fetch (max ${FETCH_MAX / MiB} MiB), never read`,
  );
  const producerStart = performance.now();
  const produced = await runProducer(broker.bootstrap);
  console.log(
    `normal producer meanwhile: ${produced.out} (exit ${produced.code}, ${((performance.now() - producerStart) / 1000).toFixed(1)} s with Python start)`,
  );
  if (produced.code !== 0) failed = true;
  await sleep(HOLD_MS);
  const held = rss(pid);
  for (const s of sockets) s.destroy();
  clearInterval(sampler);
  peak = Math.max(peak, rss(pid));
  console.log(
    `RSS peak while held: ${(peak / MiB).toFixed(0)} MiB (bound ${RSS_BOUND / MiB} MiB); after ${HOLD_MS / 1000} s: ${(held / MiB).toFixed(0)} MiB`,
  );
  if (peak > RSS_BOUND) failed = true;

  // After close: the share goes back at once; pooled buffers are trimmed after 30 s idle and the GC
  // returns the rest.
  const deadline = Date.now() + 90_000;
  let after = rss(pid);
  while (after > before + RETURN_MARGIN && Date.now() < deadline) {
    await sleep(1000);
    after = rss(pid);
  }
  console.log(
    `RSS after the connections closed: ${(after / MiB).toFixed(0)} MiB (before: ${(before / MiB).toFixed(0)} MiB, margin ${RETURN_MARGIN / MiB} MiB)`,
  );
  if (after > before + RETURN_MARGIN) failed = true;
} finally {
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(failed ? 'memory-bound: FAILED' : 'memory-bound: passed');
process.exitCode = failed ? 1 : 0;
