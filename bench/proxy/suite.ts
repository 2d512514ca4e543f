/**
 * The HTTP proxy's figures (`npm run bench -- --only proxy`): `samsa proxy` as its own process
 * against a `samsa start` child, the load from this process over undici.
 *   - v2 produce: 8 clients each POSTing batches of 500 JSON records (~100 B values) to
 *     /topics/{t}, one request at a time per client.
 *   - v3 streaming produce: 4 long chunked requests writing records as fast as the proxy answers.
 *   - v2 consume: a consumer instance (binary format) reading everything produced above with
 *     GET .../records?max_bytes=8 MiB, counted from the first record to the last.
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Pool, request } from 'undici';
import { createTopicOn } from '../kafka/admin.ts';
import type { BenchOptions } from '../lib/options.ts';
import { startUsage } from '../lib/proc-stats.ts';
import { stopPid, trackPid, waitForLine } from '../lib/procs.ts';
import { type BenchResult, round, unavailable } from '../lib/result.ts';
import { settle } from '../lib/settle.ts';
import { startSamsa } from '../samsa/broker-process.ts';

type Emit = (r: BenchResult) => void;
const SYSTEM = 'samsa proxy';
const BIN = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));
const VALUE = {
  user: 'u-42',
  item: 'sku-1234567',
  action: 'view',
  price: 12.5,
  at: '2026-01-01T00:00:00Z',
  pad: 'xxxxxxxxxx',
};

async function v2Produce(url: string, topic: string, ms: number): Promise<number> {
  const body = JSON.stringify({
    records: Array.from({ length: 500 }, (_, i) => ({ key: `k${i % 50}`, value: VALUE })),
  });
  const pool = new Pool(url, { connections: 8 });
  let records = 0;
  let errors = 0;
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (performance.now() < end) {
        const res = await pool.request({
          path: `/topics/${topic}`,
          method: 'POST',
          headers: { 'content-type': 'application/vnd.kafka.json.v2+json' },
          body,
        });
        const out = (await res.body.json()) as { offsets?: { error_code: number | null }[] };
        if (res.statusCode !== 200) errors++;
        else records += out.offsets!.filter((o) => o.error_code === null).length;
      }
    }),
  );
  await pool.close();
  if (errors > 0) throw new Error(`${errors} produce requests failed`);
  return records;
}

async function v3Stream(url: string, cluster: string, topic: string, ms: number): Promise<number> {
  const line = `${JSON.stringify({ key: { type: 'STRING', data: 'k' }, value: { type: 'JSON', data: VALUE } })}\n`;
  const chunk = line.repeat(500);
  const end = performance.now() + ms;
  let ok = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      async function* body(): AsyncGenerator<string> {
        while (performance.now() < end) yield chunk;
      }
      const res = await request(`${url}/v3/clusters/${cluster}/topics/${topic}/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Readable.from(body()),
      });
      let rest = '';
      for await (const c of res.body) {
        const text = rest + c.toString();
        const lines = text.split('\n');
        rest = lines.pop()!;
        for (const l of lines) if (l.startsWith('{"error_code":200')) ok++;
      }
    }),
  );
  return ok;
}

async function v2Consume(
  url: string,
  topic: string,
  expected: number,
): Promise<{ records: number; seconds: number }> {
  const group = `bench-${Date.now()}`;
  await request(`${url}/consumers/${group}`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.kafka.v2+json' },
    body: JSON.stringify({
      name: 'c',
      format: 'binary',
      'auto.offset.reset': 'earliest',
      'auto.commit.enable': 'false',
    }),
  }).then((r) => r.body.dump());
  const base = `${url}/consumers/${group}/instances/c`;
  await request(`${base}/subscription`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.kafka.v2+json' },
    body: JSON.stringify({ topics: [topic] }),
  }).then((r) => r.body.dump());
  let records = 0;
  let t0 = 0;
  const deadline = performance.now() + 120_000;
  while (records < expected && performance.now() < deadline) {
    const res = await request(`${base}/records?timeout=1000&max_bytes=8388608`, {
      headers: { accept: 'application/vnd.kafka.binary.v2+json' },
    });
    const list = (await res.body.json()) as unknown[];
    if (list.length > 0 && t0 === 0) t0 = performance.now();
    records += list.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  await request(base, { method: 'DELETE' }).then((r) => r.body.dump());
  return { records, seconds };
}

export async function proxySuite(o: BenchOptions, emit: Emit): Promise<void> {
  const broker = await startSamsa();
  const proxy = spawn(process.execPath, [
    BIN,
    'proxy',
    '--bootstrap-server',
    `127.0.0.1:${broker.port}`,
    '--port',
    '0',
  ]);
  trackPid('samsa-proxy', proxy.pid!);
  try {
    const [, url] = await waitForLine(proxy, /listening on (http:\/\/\S+)/, 20_000);
    const cluster = (
      (await (await request(`${url}/v3/clusters`)).body.json()) as { data: { cluster_id: string }[] }
    ).data[0]!.cluster_id;
    const ms = o.durationMs;
    const note = (u: { serverCpuPct: number }, extra: string) =>
      `${extra}; proxy CPU ${round(u.serverCpuPct, 0)}%`;

    await createTopicOn(broker.port, 'proxy-v2', 6);
    await v2Produce(url!, 'proxy-v2', o.warmupMs);
    await settle();
    let usage = startUsage(proxy.pid!);
    let t0 = performance.now();
    const v2 = await v2Produce(url!, 'proxy-v2', ms);
    let u = usage.stop();
    const v2Seconds = (performance.now() - t0) / 1000;
    emit({
      ...unavailable(SYSTEM, 'undici, 8 clients', 'v2 produce, batches of 500 JSON records', ''),
      records_per_s: round(v2 / v2Seconds, 0),
      client_cpu_pct: round(u.clientCpuPct, 0),
      server_cpu_pct: round(u.serverCpuPct, 0),
      note: note(u, `${v2} records acknowledged in ${round(v2Seconds, 1)} s`),
    });

    await createTopicOn(broker.port, 'proxy-v3', 6);
    await settle();
    usage = startUsage(proxy.pid!);
    t0 = performance.now();
    const v3 = await v3Stream(url!, cluster, 'proxy-v3', ms);
    u = usage.stop();
    const v3Seconds = (performance.now() - t0) / 1000;
    emit({
      ...unavailable(SYSTEM, 'undici, 4 streams', 'v3 streaming produce, JSON records', ''),
      records_per_s: round(v3 / v3Seconds, 0),
      client_cpu_pct: round(u.clientCpuPct, 0),
      server_cpu_pct: round(u.serverCpuPct, 0),
      note: note(u, `${v3} results with error_code 200 in ${round(v3Seconds, 1)} s`),
    });

    await settle();
    usage = startUsage(proxy.pid!);
    const c = await v2Consume(url!, 'proxy-v2', v2 + 0);
    u = usage.stop();
    emit({
      ...unavailable(SYSTEM, 'undici, 1 consumer instance', 'v2 consume (binary), max_bytes 8 MiB', ''),
      records_per_s: round(c.records / c.seconds, 0),
      client_cpu_pct: round(u.clientCpuPct, 0),
      server_cpu_pct: round(u.serverCpuPct, 0),
      note: note(u, `${c.records} records from the start of the v2 topic in ${round(c.seconds, 1)} s`),
    });
  } finally {
    await stopPid(proxy.pid!);
    await broker.stop();
  }
}
