/**
 * The schema registry's workloads, against `samsa start` (broker and embedded registry in one
 * child process): schema-id lookups over HTTP (`GET /schemas/ids/{id}`, the issue asks for at least
 * 20,000/s) with 200 registered schemas, and the Avro serde's cost per 100-byte record over plain
 * avsc (at most 2 µs), each measured in a fresh Node process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInChild } from '../lib/child-run.ts';
import { freePort, HOST } from '../lib/net.ts';
import type { BenchOptions } from '../lib/options.ts';
import { startUsage } from '../lib/proc-stats.ts';
import { drain, removeDir, spawnTracked, stopPid, trackDir } from '../lib/procs.ts';
import { type BenchResult, round, unavailable } from '../lib/result.ts';
import { latencyRow } from '../lib/rows.ts';
import { settle } from '../lib/settle.ts';
import type { IdLookupResult } from './id-lookups.ts';
import type { SerdeOverhead } from './serde-overhead.ts';

const SYSTEM = 'Samsa registry';
const BIN = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));
type Emit = (r: BenchResult) => void;

async function startWithRegistry(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const dataDir = trackDir(mkdtempSync(join(tmpdir(), 'samsa-bench-registry-')));
  const [port, registryPort] = [await freePort(), await freePort()];
  const child = spawnTracked('samsa', process.execPath, [
    BIN,
    'start',
    '--host',
    HOST,
    '--port',
    String(port),
    '--registry-port',
    String(registryPort),
    '--metrics-port',
    '0',
    '--data-dir',
    dataDir,
    '--log-level',
    'warn',
  ]);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`registry did not start: ${output}`)), 60_000);
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('Schema registry listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`samsa exited: ${output}`)));
  });
  drain(child);
  return {
    url: `http://${HOST}:${registryPort}`,
    pid: child.pid!,
    async stop() {
      await stopPid(child.pid!, 10_000);
      removeDir(dataDir);
    },
  };
}

async function registerSchemas(url: string, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const schema = JSON.stringify({
      type: 'record',
      name: `R${i}`,
      fields: [{ name: `f${i}`, type: 'string' }],
    });
    const res = await fetch(`${url}/subjects/bench-${i}-value/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema }),
    });
    ids.push(((await res.json()) as { id: number }).id);
  }
  return ids;
}

export async function registrySuite(o: BenchOptions, emit: Emit): Promise<void> {
  let server: Awaited<ReturnType<typeof startWithRegistry>>;
  try {
    server = await startWithRegistry();
  } catch (err) {
    emit(unavailable(SYSTEM, '-', 'all', (err as Error).message));
    return;
  }
  try {
    const ids = await registerSchemas(server.url, 200);
    for (const connections of [1, 8]) {
      await settle();
      const usage = startUsage(server.pid);
      const r = await runInChild<IdLookupResult>(
        new URL('./id-lookups.ts', import.meta.url),
        'idLookupLoad',
        [{ url: server.url, ids, connections, warmupMs: o.warmupMs, durationMs: o.durationMs }],
      );
      emit(
        latencyRow(
          {
            system: SYSTEM,
            client: `undici keep-alive, ${connections} connection(s)`,
            workload: 'GET /schemas/ids/{id}',
          },
          { p50: r.p50, p99: r.p99, p999: r.p999, records: r.records, seconds: r.seconds },
          usage.stop(),
          `${r.records} lookups over 200 schema ids${r.errors ? `, ${r.errors} errors` : ''}; target ≥ 20,000/s`,
        ),
      );
    }
    await settle();
    const s = await runInChild<SerdeOverhead>(
      new URL('./serde-overhead.ts', import.meta.url),
      'serdeOverhead',
      [{ url: server.url, records: o.quick ? 50_000 : 200_000, rounds: o.quick ? 3 : 7 }],
    );
    const row = (workload: string, nsPerRecord: number, baseline: number, note: string): BenchResult => ({
      ...unavailable(SYSTEM, 'samsa/registry (in-process)', workload, ''),
      records_per_s: round(1e9 / nsPerRecord, 0),
      note: `${round(nsPerRecord / 1000, 3)} µs/record, ${round((nsPerRecord - baseline) / 1000, 3)} µs over avsc alone (${round(baseline / 1000, 3)} µs); ${note}`,
    });
    const size = `${s.encodedBytes} B Avro`;
    emit(
      row(
        `serialize ${size} (cached id, sync)`,
        s.serializeSyncNs,
        s.avscEncodeNs,
        'target ≤ 2 µs over avsc',
      ),
    );
    emit(row(`serialize ${size} (await)`, s.serializeAsyncNs, s.avscEncodeNs, 'target ≤ 2 µs over avsc'));
    emit(
      row(
        `deserialize ${size} (cached id, sync)`,
        s.deserializeSyncNs,
        s.avscDecodeNs,
        'target ≤ 2 µs over avsc',
      ),
    );
    emit(row(`deserialize ${size} (await)`, s.deserializeAsyncNs, s.avscDecodeNs, 'target ≤ 2 µs over avsc'));
  } catch (err) {
    emit(unavailable(SYSTEM, '-', 'registry workloads', (err as Error).stack ?? String(err)));
  } finally {
    await server.stop();
  }
}
