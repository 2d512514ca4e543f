/**
 * A `samsa connect` worker in a child process (so a test can kill it with SIGKILL), with quick group
 * timings and its own internal topics for `groupId`. Resolves once its REST API listens; `kill`
 * sends a signal and waits for the exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectClient } from './connect.ts';

const BIN = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));

export interface ChildWorker extends ReturnType<typeof connectClient<{ restUrl: string }>> {
  readonly process: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startChildWorker(
  bootstrap: string,
  groupId: string,
  properties: Record<string, string> = {},
): Promise<ChildWorker> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-connect-child-'));
  const config = join(dir, 'worker.properties');
  const settings: Record<string, string> = {
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
    'consumer.session.timeout.ms': '6000',
    'consumer.heartbeat.interval.ms': '500',
    ...properties,
  };
  writeFileSync(
    config,
    Object.entries(settings)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  );
  const child = spawn(
    process.execPath,
    [BIN, 'connect', '--bootstrap-server', bootstrap, '--rest-port', '0', '--config', config],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, SAMSA_CONNECT_LOG_LEVEL: process.env.SAMSA_TEST_LOG_LEVEL ?? 'error' },
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`samsa connect did not start:\n${err}`)), 60_000);
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`samsa connect exited ${code}:\n${err}`)));
  });
  child.stderr!.resume();
  const client = connectClient({ restUrl: url });
  return Object.assign(client, {
    process: child,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  });
}
