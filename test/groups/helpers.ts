/**
 * Shared pieces of the consumer-group acceptance tests: a librdkafka consumer in its own process
 * (python3-confluent-kafka) that reports its assignments and records as JSON lines and can be
 * closed cleanly or killed, a producer, a condition poller with a deadline, and a reader of the
 * group records the coordinator wrote to `__consumer_offsets`.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { OFFSETS_TOPIC, readStoredRecords } from '../../src/broker/offsets-topic.ts';
import { decodeRecord, type GroupMetadataValue } from '../../src/coordinator/index.ts';
import type { TestBroker } from '../../src/testing/index.ts';
import { PYTHON } from '../helpers/run.ts';

/** Polls `check` every 25 ms until it returns a value other than undefined/false, or throws at the deadline. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Produces records `from..to-1` with key `k-i` and value `v-i` (keys spread over partitions). */
export async function produce(bootstrap: string, topic: string, from: number, to: number): Promise<void> {
  const producer = new Producer({
    clientId: 'groups-producer',
    bootstrapBrokers: [bootstrap],
    serializers: stringSerializers,
    autocreateTopics: true,
  });
  try {
    for (let start = from; start < to; start += 5000) {
      const messages = [];
      for (let i = start; i < Math.min(to, start + 5000); i++)
        messages.push({ topic, key: `k-${i}`, value: `v-${i}` });
      await producer.send({ messages });
    }
  } finally {
    await producer.close();
  }
}

/** Latest group metadata the coordinator stored for `groupId` (null: none, or a tombstone). */
export function storedGroup(broker: TestBroker, groupId: string): GroupMetadataValue | null {
  const log = broker.broker.services.topics.partition(OFFSETS_TOPIC, 0);
  if (!log) throw new Error('no __consumer_offsets');
  let latest: GroupMetadataValue | null = null;
  for (const stored of readStoredRecords(log)) {
    const r = decodeRecord(stored);
    if (r.type === 'group' && r.key.group === groupId) latest = r.value;
  }
  return latest;
}

const CONSUMER_SCRIPT = `
import sys, json, threading
from confluent_kafka import Consumer
conf = json.loads(sys.argv[1])
opts = json.loads(sys.argv[2])
lock = threading.Lock()
def out(o):
    with lock:
        sys.stdout.write(json.dumps(o) + "\\n")
        sys.stdout.flush()
stop = threading.Event()
def reader():
    for line in sys.stdin:
        if line.strip() == "close":
            break
    stop.set()
threading.Thread(target=reader, daemon=True).start()
def on_assign(c, parts):
    out({"ev": "assign", "partitions": sorted(p.partition for p in parts)})
def on_revoke(c, parts):
    out({"ev": "revoke", "partitions": sorted(p.partition for p in parts)})
def on_error(e):
    out({"ev": "error", "error": str(e)})
conf["error_cb"] = on_error
c = Consumer(conf)
c.subscribe(opts["topics"], on_assign=on_assign, on_revoke=on_revoke)
out({"ev": "started"})
while not stop.is_set():
    msgs = c.consume(2000, timeout=0.1)
    recs = []
    for m in msgs:
        if m.error():
            out({"ev": "error", "error": str(m.error())})
            continue
        recs.append([m.partition(), m.offset(), m.value().decode()])
    if recs:
        if opts.get("commit"):
            c.commit(asynchronous=False)
        out({"ev": "msgs", "recs": recs})
c.close()
out({"ev": "closed"})
`;

export interface ConsumedRecord {
  partition: number;
  offset: number;
  value: string;
}

export type ConsumerEvent =
  | { ev: 'started' | 'closed'; at: number }
  | { ev: 'assign' | 'revoke'; partitions: number[]; at: number }
  | { ev: 'error'; error: string; at: number }
  | { ev: 'msgs'; recs: [number, number, string][]; at: number };

/**
 * A librdkafka (python3-confluent-kafka) group consumer in a child process. `config` is librdkafka
 * configuration; with `commit` it commits synchronously after every batch it reports.
 */
export class PyConsumer {
  readonly events: ConsumerEvent[] = [];
  readonly records: ConsumedRecord[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  readonly name: string;

  constructor(
    name: string,
    config: Record<string, string | number | boolean>,
    opts: { topics: string[]; commit?: boolean },
  ) {
    this.name = name;
    this.child = spawn(PYTHON, ['-c', CONSUMER_SCRIPT, JSON.stringify(config), JSON.stringify(opts)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdin.on('error', () => {});
    this.child.stderr.on('data', (c: Buffer) => this.stderr.push(c.toString()));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const e = { ...(JSON.parse(line) as object), at: Date.now() } as ConsumerEvent;
      this.events.push(e);
      if (e.ev === 'msgs') {
        for (const [partition, offset, value] of e.recs) this.records.push({ partition, offset, value });
      }
    });
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  /** The partitions of the latest assign (empty before the first, or after a revoke). */
  get assignment(): number[] {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.ev === 'assign') return e.partitions;
      if (e.ev === 'revoke') return [];
    }
    return [];
  }

  rebalanceEvents(): ConsumerEvent[] {
    return this.events.filter((e) => e.ev === 'assign' || e.ev === 'revoke');
  }

  errors(): string[] {
    return this.events.flatMap((e) => (e.ev === 'error' ? [e.error] : []));
  }

  /** Waits until the latest assignment has `count` partitions. */
  waitAssigned(count: number, timeoutMs: number): Promise<number[]> {
    return waitFor(
      () => {
        const a = this.assignment;
        return a.length === count ? a : undefined;
      },
      timeoutMs,
      `${this.name} to hold ${count} partitions (has ${JSON.stringify(this.assignment)}; stderr ${this.stderr.join('').slice(-500)})`,
    );
  }

  /** Clean close: the consumer commits nothing more, leaves the group (dynamic members) and exits. */
  async close(): Promise<void> {
    if (this.child.exitCode === null) this.child.stdin.write('close\n');
    const code = await this.exited;
    if (code !== 0) throw new Error(`${this.name} exited ${code}: ${this.stderr.join('')}`);
  }

  /** SIGKILL: no LeaveGroup, no commit. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** librdkafka settings for a short-session group member of `group`. */
export function consumerConfig(
  bootstrap: string,
  group: string,
  extra: Record<string, string | number | boolean> = {},
): Record<string, string | number | boolean> {
  return {
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': false,
    'session.timeout.ms': 4000,
    'heartbeat.interval.ms': 300,
    'topic.metadata.refresh.interval.ms': 1000,
    ...extra,
  };
}
