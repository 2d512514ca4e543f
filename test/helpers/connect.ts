/**
 * A Connect worker for tests: `startConnect({ bootstrap })` runs one in this process against a test
 * broker, REST on a free port, offsets flushed every 200 ms, quick group timings, its own group id
 * and internal topics (so several workers in one test file never meet unless asked to), logs only
 * on error. Helpers speak its REST API over real HTTP.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type {
  ConnectConfig,
  Connector,
  ConnectorPlugin,
  SourceConnectorPlugin,
  SourceRecord,
} from '../../src/connect/api/index.ts';
import { type RunningWorker, startWorker } from '../../src/connect/runtime/index.ts';
import type { WorkerSettings } from '../../src/connect/runtime/worker-config.ts';

export interface StartConnectOptions {
  bootstrap: string;
  /** Workers with the same group id (and topics) form one cluster. */
  groupId?: string;
  properties?: Record<string, string>;
  settings?: Partial<WorkerSettings>;
  plugins?: readonly ConnectorPlugin[];
  /** Standalone mode: the offsets file and connectors to create. */
  standalone?: { offsetFile: string; connectors?: readonly ConnectConfig[] };
}

export interface TestConnect extends RunningWorker {
  /** `fetch` against the REST API: parsed JSON body (or null) and status. */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Polls `GET /connectors/{name}/status` until `check` passes (default 20 s). */
  waitForStatus(
    name: string,
    check: (status: ConnectorStatus) => boolean,
    timeoutMs?: number,
  ): Promise<ConnectorStatus>;
}

export interface ConnectorStatus {
  name: string;
  connector: { state: string; worker_id: string; trace?: string };
  tasks: { id: number; state: string; worker_id: string; trace?: string }[];
  type: string;
}

export async function startConnect(options: StartConnectOptions): Promise<TestConnect> {
  const groupId = options.groupId ?? `connect-test-${randomUUID().slice(0, 8)}`;
  const worker = await startWorker({
    bootstrap: options.bootstrap,
    properties: {
      'group.id': groupId,
      'config.storage.topic': `${groupId}-configs`,
      'offset.storage.topic': `${groupId}-offsets`,
      'status.storage.topic': `${groupId}-status`,
      'offset.storage.partitions': '3',
      'status.storage.partitions': '1',
      'offset.flush.interval.ms': '200',
      'session.timeout.ms': '6000',
      'heartbeat.interval.ms': '500',
      'rebalance.timeout.ms': '10000',
      ...options.properties,
    },
    settings: {
      restHost: '127.0.0.1',
      restPort: 0,
      ...(options.standalone
        ? { mode: 'standalone' as const, offsetFile: options.standalone.offsetFile }
        : {}),
      ...options.settings,
    },
    ...(options.standalone?.connectors ? { connectors: options.standalone.connectors } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    logger: pino({ level: process.env.SAMSA_TEST_LOG_LEVEL ?? 'error' }),
  });
  return connectClient(worker);
}

/** REST helpers around a running worker (or any Connect URL). */
export function connectClient<W extends { restUrl: string }>(
  worker: W,
): W & Pick<TestConnect, 'call' | 'waitForStatus'> {
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${worker.restUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
  };
  const waitForStatus = async (name: string, check: (s: ConnectorStatus) => boolean, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown = null;
    while (Date.now() < deadline) {
      const r = await call<ConnectorStatus>('GET', `/connectors/${encodeURIComponent(name)}/status`);
      last = r.body;
      if (r.status === 200 && check(r.body)) return r.body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`status of ${name} never matched; last: ${JSON.stringify(last)}`);
  };
  return Object.assign(worker, { call, waitForStatus });
}

/** True when the connector and all its (at least `tasks`) tasks are RUNNING. */
export function allRunning(tasks = 1): (s: ConnectorStatus) => boolean {
  return (s) =>
    s.connector.state === 'RUNNING' && s.tasks.length >= tasks && s.tasks.every((t) => t.state === 'RUNNING');
}

/** Every record value (UTF-8) now in a topic's partitions, read from the start without a group. */
export async function topicValues(bootstrap: string, topic: string): Promise<string[]> {
  return (await topicRecords(bootstrap, topic)).map((r) => r.value ?? '');
}

/** Every record (key and value as UTF-8, null for null) now in a topic, partition by partition. */
export async function topicRecords(
  bootstrap: string,
  topic: string,
): Promise<{ key: string | null; value: string | null }[]> {
  const { createAdmin, createConsumer } = await import('../../src/client/clients.ts');
  const { listOffsets, partitionsOf } = await import('../../src/client/offsets.ts');
  const { readPartitions } = await import('../../src/client/partition-reader.ts');
  const connection = { bootstrapBrokers: [bootstrap] };
  const admin = createAdmin(connection, { clientId: 'test-reader' });
  const consumer = createConsumer(connection, { clientId: 'test-reader', groupId: 'test-reader' });
  try {
    const partitions = await partitionsOf(admin, [topic]);
    const ends = await listOffsets(admin, partitions, 'latest');
    const out: { key: string | null; value: string | null }[] = [];
    for (const [partition, end] of ends.get(topic) ?? []) {
      if (end === 0n) continue;
      const abort = new AbortController();
      for await (const r of readPartitions({
        consumer,
        topic,
        positions: new Map([[partition, 0n]]),
        signal: abort.signal,
      })) {
        out.push({ key: r.key?.toString('utf8') ?? null, value: r.value?.toString('utf8') ?? null });
        if (r.offset + 1n >= end) break;
      }
      abort.abort();
    }
    return out;
  } finally {
    await Promise.allSettled([admin.close(), consumer.close(true)]);
  }
}

/**
 * A schemaless source record for a test plugin: `value` to partition 0 of `topic`, no key, its
 * source partition the topic and its offset `{ n }`.
 */
export function textSourceRecord(topic: string, value: string, n: number): SourceRecord {
  return {
    topic,
    kafkaPartition: 0,
    keySchema: null,
    key: null,
    valueSchema: null,
    value,
    timestamp: null,
    headers: [],
    sourcePartition: { source: topic },
    sourceOffset: { n },
  };
}

/**
 * A one-task source plugin for tests whose connector config names a `topic`: each task gets its own
 * `poll` from `makePoll(topic)`.
 */
export function topicSourcePlugin(
  className: string,
  makePoll: (topic: string) => () => Promise<SourceRecord[] | null>,
): SourceConnectorPlugin {
  return {
    type: 'source',
    className,
    version: '1',
    config: [],
    createConnector: oneTaskConnector,
    createTask: () => {
      let poll: () => Promise<SourceRecord[] | null> = async () => null;
      return {
        async start(config) {
          poll = makePoll(String(config.topic));
        },
        poll: () => poll(),
        async stop() {},
      };
    },
  };
}

/**
 * A source plugin that sends `records` records (`value(n, topic)`, n from 1) in polls of `perPoll`
 * to the topic its connector config names, then nothing.
 */
export function bulkSourcePlugin(
  className: string,
  records: number,
  perPoll: number,
  value: (n: number, topic: string) => string,
): SourceConnectorPlugin {
  return topicSourcePlugin(className, (topic) => {
    let n = 0;
    return async () => {
      if (n >= records) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return null;
      }
      const out: SourceRecord[] = [];
      for (let i = 0; i < perPoll; i++) {
        n++;
        out.push(textSourceRecord(topic, value(n, topic), n));
      }
      return out;
    };
  });
}

/**
 * Every record batch in the first log segment of partition 0 of `topic` under a broker's data
 * directory: its size (offset and length fields included), codec (Kafka's attribute bits 0-2) and
 * record count.
 */
export function segmentBatches(
  dataDir: string,
  topic: string,
): { bytes: number; codec: number; records: number }[] {
  const log = readFileSync(join(dataDir, `${topic}-0`, `${'0'.repeat(20)}.log`));
  const batches: { bytes: number; codec: number; records: number }[] = [];
  for (let at = 0; at + 61 <= log.length; ) {
    const length = log.readInt32BE(at + 8);
    if (length <= 0) break;
    batches.push({
      bytes: 12 + length,
      codec: log.readInt16BE(at + 21) & 0x07,
      records: log.readInt32BE(at + 57),
    });
    at += 12 + length;
  }
  return batches;
}

/** A test plugin's `createConnector`: one task, given the connector's own config. */
export function oneTaskConnector(): Connector {
  let config: ConnectConfig = {};
  return { start: (c) => void (config = c), taskConfigs: () => [{ ...config }], stop() {} };
}
