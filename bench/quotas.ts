/**
 * What client quota checks cost when they do not bind: a fixed number of 1 KB records produced
 * (librdkafka through python3-confluent-kafka, acks=1) to an in-process broker without any quota,
 * then with producer_byte_rate and request_percentage set for every user (`<default>`) far above
 * what the producer reaches, so every request is measured and checked but never throttled. The
 * modes alternate (ABBA) for several rounds; printed are the medians of throughput and of the
 * broker's CPU time per record (this process's CPU: the producer runs in its own process), the
 * latter being far less sensitive to other load on the machine.
 * Usage: node bench/quotas.ts [rounds=4] [records=300000]
 */
import { spawn } from 'node:child_process';
import { Admin } from '@platformatic/kafka';
import { startBroker } from '../src/testing/index.ts';

const rounds = Number(process.argv[2] ?? 4);
const records = Number(process.argv[3] ?? 300_000);

const PRODUCE = `
import sys, time
from confluent_kafka import Producer
p = Producer({"bootstrap.servers": sys.argv[1], "acks": 1, "linger.ms": 5, "client.id": "bench"})
payload = b"x" * 1000
acked = [0]
def cb(err, msg):
    if err is None:
        acked[0] += 1
total = int(sys.argv[3])
sent = 0
while sent < total:
    try:
        p.produce(sys.argv[2], payload, on_delivery=cb)
        sent += 1
    except BufferError:
        p.poll(0.005)
    p.poll(0)
p.flush(60)
print(acked[0])
`;

interface Run {
  recordsPerS: number;
  cpuUsPerRecord: number;
}

async function produce(bootstrap: string, topic: string): Promise<Run> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const acked = await runProducer(bootstrap, topic);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { recordsPerS: acked / wall, cpuUsPerRecord: (cpu.user + cpu.system) / acked };
}

function runProducer(bootstrap: string, topic: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-c', PRODUCE, bootstrap, topic, String(records)]);
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Number(out.trim())) : reject(new Error(`exit ${code}`)),
    );
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const broker = await startBroker();
const admin = new Admin({ clientId: 'bench-admin', bootstrapBrokers: [broker.bootstrap] });
const ops = (remove: boolean) =>
  [
    ['producer_byte_rate', 1e12],
    ['request_percentage', 1e6],
  ].map(([key, value]) =>
    remove
      ? { key: key as 'producer_byte_rate', remove: true as const }
      : { key: key as 'producer_byte_rate', value: value as number, remove: false as const },
  );
const setQuotas = (remove: boolean) =>
  admin.alterClientQuotas({
    entries: [{ entities: [{ entityType: 'user', entityName: null }], ops: ops(remove) }],
  });
try {
  await admin.createTopics({ topics: ['bench-quotas'], partitions: 1, replicas: 1 });
  const without: Run[] = [];
  const withChecks: Run[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const checks of i % 2 === 0 ? [false, true] : [true, false]) {
      await setQuotas(!checks);
      const r = await produce(broker.bootstrap, 'bench-quotas');
      (checks ? withChecks : without).push(r);
      process.stderr.write(
        `round ${i + 1} ${checks ? 'quotas   ' : 'no quotas'}: ${Math.round(r.recordsPerS)} rec/s, ${r.cpuUsPerRecord.toFixed(2)} us CPU/record\n`,
      );
    }
  }
  const report = (name: string, runs: Run[]) => {
    const rate = median(runs.map((r) => r.recordsPerS));
    const cpu = median(runs.map((r) => r.cpuUsPerRecord));
    console.log(`${name}: ${Math.round(rate)} records/s, broker ${cpu.toFixed(2)} us CPU per record`);
    return { rate, cpu };
  };
  const a = report('no quotas              ', without);
  const b = report('quotas set, not binding', withChecks);
  const pct = (x: number, y: number): string => (((y - x) / x) * 100).toFixed(1);
  // The checks themselves, without the noise of the machine: what one produce request pays.
  await setQuotas(false);
  const quotas = broker.broker.services.quotas;
  const calls = 2_000_000;
  const check = (): void => {
    quotas.record('producer_byte_rate', 'User:ANONYMOUS', 'bench', 16_384);
    quotas.record('request_percentage', 'User:ANONYMOUS', 'bench', 0.001);
  };
  for (let i = 0; i < calls; i++) check(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) check();
  const perRequest = Number(process.hrtime.bigint() - t0) / calls;
  console.log(
    `quota checks per produce request (byte rate + request time, both set): ${perRequest.toFixed(0)} ns, the broker CPU of ${(perRequest / 1000 / a.cpu).toFixed(2)} records of 1 KB`,
  );
  console.log(
    `difference: throughput ${pct(a.rate, b.rate)}%, broker CPU per record ${pct(a.cpu, b.cpu)}% (medians of ${rounds} runs of ${records} x 1 KB)`,
  );
} finally {
  await admin.close();
  await broker.stop();
}
