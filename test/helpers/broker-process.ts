/**
 * `samsa start` as a child process on a data directory of the test's choosing, for tests that kill
 * the broker (kill -9), damage its files between runs, or start a second one beside it. Output is
 * kept for assertions; pino logs go to stdout as JSON lines. Only the broker runs (no registry,
 * proxy, Connect worker or console).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { track } from './children.ts';

const BIN = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));

export interface BrokerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly bootstrap: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then the exit code; a broker still running after 60 s is killed and gives -1. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash), then waits for the exit. */
  kill(): Promise<void>;
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

function spawnSamsa(
  dataDir: string,
  extra: readonly string[],
): { child: ChildProcess; output: () => string } {
  const child = track(
    spawn(
      process.execPath,
      // The broker alone: these tests are about it, and the platform services' topics, group joins
      // and CPU would only add noise (a full disk filled by them, a slower start).
      [
        BIN,
        'start',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--log-level',
        'warn',
        '--no-registry',
        '--no-proxy',
        '--no-connect',
        '--no-console',
        ...extra,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  let text = '';
  child.stdout!.on('data', (c: Buffer) => {
    text += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    text += c.toString();
  });
  return { child, output: () => text };
}

/** Starts a broker and resolves once it listens; rejects with its output if it exits first. */
export function startBrokerProcess(dataDir: string, extra: readonly string[] = []): Promise<BrokerProcess> {
  const { child, output } = spawnSamsa(dataDir, extra);
  return new Promise((resolve, reject) => {
    const onData = (): void => {
      const m = /listening on [\d.]+:(\d+)/.exec(output());
      if (!m) return;
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      const port = Number(m[1]);
      resolve({
        child,
        port,
        bootstrap: `127.0.0.1:${port}`,
        output,
        async stop() {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
          const code = await exited(child);
          clearTimeout(timer);
          return child.signalCode === 'SIGKILL' ? -1 : code;
        },
        async kill() {
          child.kill('SIGKILL');
          await exited(child);
        },
      });
    };
    const onExit = (code: number | null): void =>
      reject(new Error(`broker exited early (${code}): ${output()}`));
    child.stdout!.on('data', onData);
    child.on('exit', onExit);
  });
}

/**
 * Runs `samsa start` expecting it to fail: resolves with the exit code and output once it exits. A
 * broker that starts listening instead is stopped at once (its exit code is then 0).
 */
export async function startFailing(
  dataDir: string,
  extra: readonly string[] = [],
  timeoutMs = 30_000,
): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnSamsa(dataDir, extra);
  child.stdout!.on('data', () => {
    if (/listening on /.test(output())) child.kill('SIGTERM');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await exited(child);
  clearTimeout(timer);
  return { code, output: output() };
}
