/**
 * RSS of a Connect worker with no connectors: `samsa connect` as a child process against a Samsa
 * broker child, measured 3 s after it joined its group (internal topics created and read). Part of
 * the samsa suite; also runs alone: `node bench/samsa/connect-rss.ts`.
 */
import { fileURLToPath } from 'node:url';
import { freePort, sleep } from '../lib/net.ts';
import { memoryMb } from '../lib/proc-stats.ts';
import { installCleanupHandlers, spawnTracked, stopAll, stopPid } from '../lib/procs.ts';
import { type BenchResult, round, unavailable } from '../lib/result.ts';
import { type SamsaProcess, startSamsa } from './broker-process.ts';
import { brokerBuildMode } from './build-mode.ts';

const BIN = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));

export async function connectRssRow(broker: SamsaProcess): Promise<BenchResult> {
  const restPort = await freePort();
  const child = spawnTracked(
    'samsa connect',
    process.execPath,
    [
      BIN,
      'connect',
      '--bootstrap-server',
      `127.0.0.1:${broker.port}`,
      '--rest-port',
      String(restPort),
      '--group-id',
      `bench-${restPort}`,
    ],
    { env: { ...process.env, SAMSA_CONNECT_LOG_LEVEL: 'warn' } },
  );
  let output = '';
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${output}`)), 60_000);
    child.stderr?.on('data', (c: Buffer) => {
      output = (output + c.toString()).slice(-4000);
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`worker exited ${code}: ${output}`)));
  });
  child.stdout?.resume();
  try {
    await started;
    await sleep(3000);
    return {
      ...unavailable('Samsa', '-', 'Connect worker idle RSS', ''),
      rss_mb: round(memoryMb([child.pid!]), 1),
      note: `samsa connect with no connectors, 3 s after joining its group (distributed mode, internal topics created); runs ${brokerBuildMode()}`,
    };
  } finally {
    await stopPid(child.pid!);
  }
}

if (import.meta.main) {
  installCleanupHandlers();
  const broker = await startSamsa();
  try {
    const rows: number[] = [];
    for (let i = 0; i < 3; i++) rows.push((await connectRssRow(broker)).rss_mb ?? 0);
    console.log(`Connect worker idle RSS (MB), 3 runs: ${rows.join(', ')}`);
  } finally {
    await stopAll();
  }
}
