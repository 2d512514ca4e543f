/**
 * Runs `samsa start` as a child process (so its RSS and CPU are its own) on a free loopback port
 * with a fresh data directory, and times startup: spawn → first accepted TCP connection. `bin`
 * runs another checkout's broker (before/after comparisons); `nodeArgs` go to Node before it
 * (e.g. --cpu-prof).
 */
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, HOST, waitForPort } from '../lib/net.ts';
import { drain, removeDir, spawnTracked, stopPid, trackDir } from '../lib/procs.ts';

export interface SamsaProcess {
  port: number;
  pid: number;
  dataDir: string;
  /** Milliseconds from spawn() to the first accepted connection. */
  startupMs: number;
  stop(): Promise<void>;
}

const BIN = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));

export interface StartOptions {
  bin?: string | undefined;
  nodeArgs?: readonly string[];
  /** Serve Prometheus metrics on this port (default off: benches never take 9644). */
  metricsPort?: number;
}

export async function startSamsa(
  fsync: 'always' | 'interval' | 'never' = 'never',
  o: StartOptions = {},
): Promise<SamsaProcess> {
  const dataDir = trackDir(mkdtempSync(join(tmpdir(), 'samsa-bench-')));
  const port = await freePort();
  const args = [...(o.nodeArgs ?? []), o.bin ?? BIN, 'start', '--host', HOST, '--port', String(port)];
  args.push('--data-dir', dataDir);
  args.push('--fsync', fsync, '--log-level', 'warn');
  // The broker's own figures: this checkout's `samsa start` would also run the schema registry
  // (another checkout's bin may not know the flag; its start has no registry anyway).
  if (!o.bin) args.push('--no-registry', '--no-proxy', '--metrics-port', String(o.metricsPort ?? 0));
  const t0 = performance.now();
  // The broker alone: no embedded Connect worker (older checkouts ignore the variable).
  const child = spawnTracked('samsa', process.execPath, args, {
    env: { ...process.env, SAMSA_CONNECT: '0' },
  });
  let exited = false;
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  child.on('exit', () => (exited = true));
  let ready: number;
  try {
    ready = await waitForPort(port, 20000, 1);
  } catch (err) {
    await stopPid(child.pid!);
    removeDir(dataDir);
    throw new Error(`${(err as Error).message}${exited ? ' (broker exited)' : ''}: ${output}`);
  }
  // BENCH_BROKER_STDOUT: a file for the broker's stdout (e.g. with --trace-gc in its node args).
  if (process.env.BENCH_BROKER_STDOUT) {
    child.stdout?.removeAllListeners('data');
    child.stdout?.pipe(createWriteStream(process.env.BENCH_BROKER_STDOUT));
    child.stderr?.resume();
  } else drain(child);
  return {
    port,
    pid: child.pid!,
    dataDir,
    startupMs: ready - t0,
    async stop() {
      await stopPid(child.pid!, 10000);
      removeDir(dataDir);
    },
  };
}
