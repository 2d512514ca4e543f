/** Starts the null Kafka sink as a child process (its own core) and returns its port and PID. */
import { fileURLToPath } from 'node:url';
import { drain, spawnTracked, waitForLine } from '../lib/procs.ts';

export interface RunningSink {
  port: number;
  pid: number;
}

export async function startNullSink(partitions = 1): Promise<RunningSink> {
  const script = fileURLToPath(new URL('./null-sink.ts', import.meta.url));
  const child = spawnTracked('null-sink', process.execPath, [script, '--partitions', String(partitions)]);
  const m = await waitForLine(child, /null sink listening on (\d+)/, 10000);
  drain(child);
  return { port: Number(m[1]), pid: child.pid! };
}
