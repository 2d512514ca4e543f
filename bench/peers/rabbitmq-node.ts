/**
 * A private RabbitMQ node with the stream plugin enabled, on free loopback ports and a temp dir
 * (the machine's own node is left alone: enabling a plugin there would change a shared service).
 * Needs the rabbitmq_stream plugin to be installed; returns null with a reason otherwise.
 */

import { execFileSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, HOST, waitForPort } from '../lib/net.ts';
import { drain, removeDir, spawnTracked, stopPid, trackDir, trackPid } from '../lib/procs.ts';
import { which } from './common.ts';

export interface RabbitNode {
  streamPort: number;
  /** The Erlang VM's PID (for RSS/CPU). */
  pid: number;
  stop(): Promise<void>;
}

function streamPluginInstalled(): boolean {
  const base = '/usr/lib/rabbitmq/lib';
  if (!existsSync(base)) return false;
  return readdirSync(base).some((d) => {
    const plugins = join(base, d, 'plugins');
    return existsSync(plugins) && readdirSync(plugins).some((p) => p.startsWith('rabbitmq_stream-'));
  });
}

export async function startRabbitNode(): Promise<RabbitNode | string> {
  const bin = which('rabbitmq-server', ['/usr/sbin', '/usr/lib/rabbitmq/bin']);
  if (!bin) return 'rabbitmq-server not installed';
  if (!streamPluginInstalled()) return 'rabbitmq_stream plugin not installed';
  const dir = trackDir(mkdtempSync(join(tmpdir(), 'samsa-bench-rabbit-')));
  const [amqp, stream, dist] = [await freePort(), await freePort(), await freePort()];
  mkdirSync(join(dir, 'mnesia'));
  mkdirSync(join(dir, 'log'));
  writeFileSync(join(dir, 'enabled_plugins'), '[rabbitmq_stream].\n');
  writeFileSync(
    join(dir, 'rabbit.conf'),
    `listeners.tcp.1 = ${HOST}:${amqp}\nstream.listeners.tcp.1 = ${HOST}:${stream}\nloopback_users = none\n`,
  );
  // The server script drops to the rabbitmq user when run as root: give it the directory.
  if (process.getuid?.() === 0) {
    try {
      const uid = Number(execFileSync('id', ['-u', 'rabbitmq']).toString());
      const gid = Number(execFileSync('id', ['-g', 'rabbitmq']).toString());
      for (const p of ['', 'mnesia', 'log', 'enabled_plugins', 'rabbit.conf'])
        chownSync(join(dir, p), uid, gid);
    } catch {}
  }
  const pidFile = join(dir, 'rabbit.pid');
  const child = spawnTracked('rabbitmq', bin, [], {
    env: {
      ...process.env,
      RABBITMQ_NODENAME: `samsabench${process.pid}@localhost`,
      RABBITMQ_DIST_PORT: String(dist),
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbit.conf'),
      RABBITMQ_PID_FILE: pidFile,
      ERL_EPMD_ADDRESS: HOST,
    },
  });
  drain(child);
  let vm = 0;
  const stop = async (): Promise<void> => {
    if (vm) await stopPid(vm, 15000);
    await stopPid(child.pid!, 5000);
    removeDir(dir);
  };
  try {
    await waitForPort(stream, 60000, 50);
    vm = Number(readFileSync(pidFile, 'utf8').trim());
    trackPid('rabbitmq-vm', vm);
  } catch (err) {
    await stop();
    return `private node did not start: ${(err as Error).message}`;
  }
  return { streamPort: stream, pid: vm, stop };
}
