/**
 * Runs the `samsa` command for tests, two ways with the same result shape (exit code, stdout,
 * stderr); KAFKA_* variables of the outer environment are removed so every test states its
 * connection.
 *
 * - `samsa` runs the real executable (bin/samsa.js on this Node) as a child process. Use it where
 *   the process boundary is what is tested: the executable itself, stdin piped by a shell, signals,
 *   long-running commands (`start`, `connect`, `topics:tail` without a limit).
 * - `samsaInProcess` calls the same `main()` in the test's own process, with stdout/stderr captured,
 *   stdin and environment of the test's choosing. Each spawned `samsa` pays ~1.5 s of CPU to load
 *   the Kafka client and the commands (690 modules); in-process runs pay it once per test file.
 *   Runs are serialized (the environment and stdin are process-wide); output written while a run
 *   is in progress is attributed to that run through AsyncLocalStorage, so the test runner's own
 *   writes to stdout pass through untouched. stdin is a stream of `input`; a command that reads
 *   file descriptor 0 synchronously (`connectors:create --config -`) needs the executable.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { run } from '../helpers/run.ts';

const BIN = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('KAFKA_')) delete env[key];
  return env;
}

/** The real executable in a child process. */
export function samsa(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  return run(process.execPath, [BIN, ...args], {
    env: { ...baseEnv(), ...options.env },
    input: options.input ?? '',
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}

interface Capture {
  stdout: string[];
  stderr: string[];
}

const capture = new AsyncLocalStorage<Capture>();
let outputRouted = false;

/** Sends writes to process.stdout/stderr made inside a run to that run's capture, others through. */
function routeOutput(): void {
  if (outputRouted) return;
  outputRouted = true;
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
      const sink = capture.getStore();
      if (!sink) return original(chunk, ...rest);
      sink[name].push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const callback = rest.find((a) => typeof a === 'function') as (() => void) | undefined;
      if (callback) process.nextTick(callback);
      return true;
    }) as typeof stream.write;
  }
}

/** Listeners a command may add to process-wide emitters; removed again after each run. */
type Listener = (...args: unknown[]) => void;

function listenerSnapshot(): [NodeJS.EventEmitter, string, Listener[]][] {
  return [
    [process, 'SIGINT'],
    [process, 'SIGTERM'],
    [process.stdout, 'error'],
    [process.stdout, 'drain'],
    [process.stderr, 'error'],
  ].map(([emitter, event]) => {
    const e = emitter as NodeJS.EventEmitter;
    return [e, event as string, e.listeners(event as string) as Listener[]];
  });
}

let queue: Promise<unknown> = Promise.resolve();

/** `main()` of the CLI in this process; same exit codes and output as the executable. */
export function samsaInProcess(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  const result = queue.then(() => runInProcess(args, options));
  queue = result.catch(() => {});
  return result;
}

async function runInProcess(args: readonly string[], options: CliRunOptions): Promise<CliResult> {
  routeOutput();
  const { main } = await import('../../src/cli/main.ts');
  const savedEnv = { ...process.env };
  const stdinDescriptor = Object.getOwnPropertyDescriptor(process, 'stdin');
  const listeners = listenerSnapshot();
  const sink: Capture = { stdout: [], stderr: [] };
  for (const key of Object.keys(process.env)) if (key.startsWith('KAFKA_')) delete process.env[key];
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  const input = options.input ?? '';
  Object.defineProperty(process, 'stdin', {
    configurable: true,
    enumerable: stdinDescriptor?.enumerable ?? true,
    value: Readable.from(input === '' ? [] : [Buffer.from(input)], { objectMode: false }),
  });
  let code: number | null;
  try {
    code = await capture.run(sink, async () => {
      try {
        return await main(args);
      } catch (err) {
        // What the executable does with an uncaught error: the stack on stderr, exit code 1.
        process.stderr.write(`${(err as Error).stack ?? err}\n`);
        return 1;
      }
    });
  } finally {
    if (stdinDescriptor) Object.defineProperty(process, 'stdin', stdinDescriptor);
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    for (const [emitter, event, before] of listeners) {
      for (const l of emitter.listeners(event)) {
        if (!before.includes(l as Listener)) emitter.removeListener(event, l as Listener);
      }
    }
  }
  return { code, stdout: sink.stdout.join(''), stderr: sink.stderr.join('') };
}

/** Parses stdout as JSON, failing with the command's output when it is not. */
export function json<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}
