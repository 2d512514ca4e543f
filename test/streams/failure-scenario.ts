/**
 * The kill -9 scenario shared by the exactly-once test and the soak script: produce records with
 * known timestamps while two streams instances (child processes) count them per key and 1-second
 * window, SIGKILL one instance a third of the way in, start it again with the same state
 * directory, wait until the output settles, and compare the output (read with librdkafka,
 * read_committed) with the counts computed offline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Producer } from '@platformatic/kafka';
import { createTopics, latestByKey, readWithLibrdkafka } from './helpers.ts';

const APP = join(import.meta.dirname, 'fixtures/windowed-count-app.ts');
const NODE = process.execPath;

export interface ScenarioOptions {
  bootstrap: string;
  guarantee: 'exactly_once_v2' | 'at_least_once';
  records: number;
  keys: number;
  name: string;
  partitions?: number;
  log?: (line: string) => void;
}

export interface ScenarioResult {
  total: number;
  windows: number;
  missing: string[];
  overCounted: string[];
  killedWhileRunning: boolean;
  seconds: number;
}

function startInstance(
  o: ScenarioOptions,
  stateDir: string,
  input: string,
  output: string,
): { child: ChildProcess; running: Promise<void> } {
  const child = spawn(NODE, [APP, o.bootstrap, o.guarantee, stateDir, `${o.name}-app`, input, output], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SAMSA_STREAMS_LOG_LEVEL: 'warn' },
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    if (err.length > 10_000) err = err.slice(-5_000);
  });
  const running = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('RUNNING')) resolve();
    });
    child.on('exit', (code, signal) =>
      reject(new Error(`instance exited (${code ?? signal}) before running: ${err}`)),
    );
  });
  running.catch(() => {});
  return { child, running };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export async function runFailureScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const started = performance.now();
  const partitions = o.partitions ?? 4;
  const input = `${o.name}-events`;
  const output = `${o.name}-window-counts`;
  await createTopics(o.bootstrap, [
    { name: input, partitions },
    { name: output, partitions },
  ]);
  const dirA = mkdtempSync(join(tmpdir(), 'samsa-eos-a-'));
  const dirB = mkdtempSync(join(tmpdir(), 'samsa-eos-b-'));
  const expected = new Map<string, number>();
  const children: ChildProcess[] = [];
  let killedWhileRunning = false;
  try {
    let a = startInstance(o, dirA, input, output);
    const b = startInstance(o, dirB, input, output);
    children.push(a.child, b.child);
    await Promise.all([a.running, b.running]);
    const producer = new Producer({ clientId: `${o.name}-load`, bootstrapBrokers: [o.bootstrap], acks: -1 });
    const chunk = 1_000;
    const timeBase = Math.floor(Date.now() / 1_000) * 1_000;
    for (let i = 0; i < o.records; i += chunk) {
      const messages = [];
      for (let j = i; j < Math.min(o.records, i + chunk); j++) {
        const key = `k${j % o.keys}`;
        // ~20 windows per 1,000 records, in order, from a recent second: timestamps near 1970 made
        // the broker's time-based retention (7 days) delete the topics' first segments mid-run
        const timestamp = timeBase + Math.floor(j / 50) * 10;
        const w = `${key}@${Math.floor(timestamp / 1_000) * 1_000}`;
        expected.set(w, (expected.get(w) ?? 0) + 1);
        messages.push({
          topic: input,
          key: Buffer.from(key),
          value: Buffer.from(`v${j}`),
          timestamp: BigInt(timestamp),
        });
      }
      await producer.send({ messages });
      if (i < o.records / 3 && i + chunk >= o.records / 3) {
        // mid-stream: let the instances work on what arrived, then kill one of them outright
        await new Promise((r) => setTimeout(r, 300));
        killedWhileRunning = a.child.exitCode === null;
        a.child.kill('SIGKILL');
        o.log?.(`killed instance A (pid ${a.child.pid}) after ${i + chunk} records`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await producer.close();
    o.log?.('all records produced; restarting instance A with the same state directory');
    a = startInstance(o, dirA, input, output);
    children.push(a.child);
    await a.running;
    // wait until the output stops changing and covers every window
    let last = '';
    let stable = 0;
    for (let round = 0; round < 120 && stable < 2; round++) {
      const m = latestByKey(
        await readWithLibrdkafka(o.bootstrap, output, partitions, 'read_committed').catch(() => []),
      );
      const complete = [...expected].every(([w, n]) => Number(m.get(w) ?? 0) >= n);
      const sig = JSON.stringify([...m].sort());
      stable = complete && sig === last ? stable + 1 : 0;
      last = sig;
      if (!complete) await new Promise((r) => setTimeout(r, 500));
    }
    const finalCounts = latestByKey(
      await readWithLibrdkafka(o.bootstrap, output, partitions, 'read_committed'),
    );
    const missing: string[] = [];
    const overCounted: string[] = [];
    let total = 0;
    for (const [w, n] of expected) {
      const got = Number(finalCounts.get(w) ?? 0);
      total += got;
      if (got < n) missing.push(`${w}: ${got} < ${n}`);
      if (got > n) overCounted.push(`${w}: ${got} > ${n}`);
    }
    return {
      total,
      windows: expected.size,
      missing,
      overCounted,
      killedWhileRunning,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await Promise.all(children.map(stop));
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  }
}
