/**
 * The Samsa platform a demo runs on: `samsa start` as a child process on free ports (broker, schema
 * registry, HTTP proxy, Connect worker), its data under the demo's directory — or, when the demo was
 * given `--bootstrap` (plus `--connect-url` / `--registry-url`), a platform that is already running.
 * Also the few Connect REST and admin calls the demos share.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Admin } from '@platformatic/kafka';

const SAMSA_BIN = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));

export interface Platform {
  /** `host:port` for Kafka clients. */
  readonly bootstrap: string;
  /** The Connect REST API, e.g. `http://127.0.0.1:8083`. */
  readonly connectUrl: string;
  /** The schema registry, e.g. `http://127.0.0.1:8081`. */
  readonly registryUrl: string;
  /** Connectors the demo created (deleted again at stop when the platform is not the demo's own). */
  readonly connectors: Set<string>;
  stop(): Promise<void>;
}

export interface PlatformOptions {
  dataDir: string;
  bootstrap?: string | undefined;
  connectUrl?: string | undefined;
  registryUrl?: string | undefined;
}

/** Starts `samsa start --port 0` and resolves once the broker, registry and Connect worker are up. */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  if (options.bootstrap !== undefined) {
    const connectUrl = options.connectUrl ?? 'http://127.0.0.1:8083';
    const connectors = new Set<string>();
    return {
      bootstrap: options.bootstrap,
      connectUrl,
      registryUrl: options.registryUrl ?? 'http://127.0.0.1:8081',
      connectors,
      async stop() {
        // Someone else's platform: take the demo's connectors away again (topics stay).
        for (const name of connectors)
          await connectCall(connectUrl, 'DELETE', `/connectors/${encodeURIComponent(name)}`).catch(() => {});
      },
    };
  }
  const child = spawn(
    process.execPath,
    [SAMSA_BIN, 'start', '--port', '0', '--data-dir', options.dataDir, '--log-level', 'warn', '--no-proxy'],
    // Its own process group: Ctrl-C reaches the demo, which stops the platform last.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  // Whatever happens to the demo (a second Ctrl-C, a crash), Samsa is asked to shut down with it.
  const orphan = (): void => void child.kill('SIGTERM');
  process.once('exit', orphan);
  child.once('exit', () => process.off('exit', orphan));
  let output = '';
  const found = (re: RegExp): string | undefined => re.exec(output)?.[1];
  const ready = new Promise<{ bootstrap: string; connectUrl: string; registryUrl: string }>(
    (resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const port = found(/listening on [\d.]+:(\d+)/);
        const registryUrl = found(/Schema registry listening on (\S+)/);
        const connectUrl = found(/Connect REST API on (\S+)/);
        if (port && registryUrl && connectUrl)
          resolve({ bootstrap: `127.0.0.1:${port}`, registryUrl, connectUrl });
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`samsa start exited (${code}):\n${output}`)));
    },
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    const urls = await ready;
    return { ...urls, connectors: new Set(), stop };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

export async function ensureTopics(
  bootstrap: string,
  topics: { name: string; partitions?: number; configs?: Record<string, string> }[],
): Promise<void> {
  const admin = new Admin({ clientId: 'samsa-demo', bootstrapBrokers: [bootstrap] });
  try {
    const existing = new Set(await admin.listTopics());
    for (const t of topics) {
      if (existing.has(t.name)) continue;
      await admin.createTopics({
        topics: [t.name],
        partitions: t.partitions ?? 1,
        replicas: 1,
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      });
    }
  } finally {
    await admin.close();
  }
}

/** One call to the Connect REST API; throws with the worker's message on an error status. */
export async function connectCall<T = unknown>(
  connectUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${connectUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
}

/**
 * Creates (or reconfigures) connectors with `PUT /connectors/{name}/config`, all at once (one
 * rebalance of the Connect group rather than one each), and waits until they and all their tasks
 * run; a failed task's trace is thrown.
 */
export async function putConnectors(
  platform: Platform,
  connectors: Record<string, Record<string, string>>,
): Promise<void> {
  const { connectUrl } = platform;
  for (const name of Object.keys(connectors)) platform.connectors.add(name);
  const path = (name: string, what: string) => `/connectors/${encodeURIComponent(name)}/${what}`;
  for (const [name, config] of Object.entries(connectors))
    await connectCall(connectUrl, 'PUT', path(name, 'config'), { name, ...config });
  const deadline = Date.now() + 60_000;
  for (const name of Object.keys(connectors)) {
    for (;;) {
      const status = await connectCall<ConnectorStatus>(connectUrl, 'GET', path(name, 'status')).catch(
        () => null,
      );
      const failed = status?.tasks.find((t) => t.state === 'FAILED');
      if (failed) throw new Error(`connector ${name} task ${failed.id} failed: ${failed.trace ?? ''}`);
      if (status?.connector.state === 'FAILED')
        throw new Error(`connector ${name} failed: ${status.connector.trace ?? ''}`);
      if (
        status?.connector.state === 'RUNNING' &&
        status.tasks.length > 0 &&
        status.tasks.every((t) => t.state === 'RUNNING')
      )
        break;
      if (Date.now() > deadline) throw new Error(`connector ${name} not running after 60 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** The connectors that are not running, with the start of their trace (for "why is nothing arriving"). */
export async function connectorProblems(connectUrl: string): Promise<string[]> {
  const names = await connectCall<string[]>(connectUrl, 'GET', '/connectors').catch(() => [] as string[]);
  const problems: string[] = [];
  for (const name of names) {
    const s = await connectCall<ConnectorStatus>(
      connectUrl,
      'GET',
      `/connectors/${encodeURIComponent(name)}/status`,
    ).catch(() => null);
    if (!s) continue;
    for (const t of s.tasks)
      if (t.state !== 'RUNNING')
        problems.push(`${name} task ${t.id} ${t.state}: ${(t.trace ?? '').slice(0, 500)}`);
    if (s.connector.state !== 'RUNNING')
      problems.push(`${name} ${s.connector.state}: ${(s.connector.trace ?? '').slice(0, 500)}`);
  }
  return problems;
}
