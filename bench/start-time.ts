/**
 * `samsa start` time as users run it: spawn → a TCP connection to the broker accepted, for
 * `npx samsa start` and `node bin/samsa.js start`, with the platform services off
 * (`--no-registry --no-proxy --no-connect --no-console`) and on (the default; also timed: until each service has
 * printed its listening line). Every run gets a fresh data directory and port 0 (services on free
 * ports too), and is stopped by its process group. Prints one row per variant: first run, then the
 * median and slowest of the rest.
 *
 *   node bench/start-time.ts [--runs N] [--only node|npx]
 *
 * Which code runs: bin/samsa.js runs the compiled dist/ when it is newer than src/ (`npm run
 * build`), else the TypeScript sources; the row says which.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1] ?? 0) || 7;
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const NO_SERVICES = ['--no-registry', '--no-proxy', '--no-connect', '--no-console'];
const TIMEOUT_MS = 60_000;

interface Variant {
  name: string;
  command: string;
  argv: string[];
  services: boolean;
  /** Flags after the start arguments. */
  extra?: string[];
}

const node = process.execPath;
const variants: Variant[] = [
  { name: 'node bin/samsa.js start', command: node, argv: ['bin/samsa.js', 'start'], services: false },
  {
    name: 'node --max-semi-space-size=8 bin/samsa.js start (no re-exec)',
    command: node,
    argv: ['--max-semi-space-size=8', 'bin/samsa.js', 'start'],
    services: false,
  },
  { name: 'npx samsa start', command: 'npx', argv: ['samsa', 'start'], services: false },
  { name: 'npm start --', command: 'npm', argv: ['start', '--'], services: false },
  { name: 'node bin/samsa.js start', command: node, argv: ['bin/samsa.js', 'start'], services: true },
  {
    name: 'node bin/samsa.js start --group-initial-rebalance-delay-ms 3000',
    command: node,
    argv: ['bin/samsa.js', 'start'],
    services: true,
    extra: ['--group-initial-rebalance-delay-ms', '3000'],
  },
  { name: 'npx samsa start', command: 'npx', argv: ['samsa', 'start'], services: true },
].filter((v) => !ONLY || (ONLY === 'npx' ? v.command !== node : v.command === node));

interface Run {
  /** Spawn → TCP connect to the broker succeeded. */
  acceptMs: number;
  /** Spawn → every service printed its line (with services). */
  servicesMs: number | undefined;
}

function tcpConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function once(v: Variant): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-start-time-'));
  const started = performance.now();
  const child = spawn(
    v.command,
    [
      ...v.argv,
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      ...(v.services ? [] : NO_SERVICES),
      ...(v.extra ?? []),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let out = '';
  try {
    return await new Promise<Run>((resolve, reject) => {
      let acceptMs: number | undefined;
      const timer = setTimeout(
        () => reject(new Error(`${v.name}: no start in ${TIMEOUT_MS} ms: ${out}`)),
        TIMEOUT_MS,
      );
      const servicesUp = (): boolean =>
        /Schema registry listening on/.test(out) &&
        /HTTP proxy .* on http/.test(out) &&
        /Connect REST API on http/.test(out) &&
        /Console on http/.test(out);
      const check = (): void => {
        if (acceptMs === undefined) {
          const m = /listening on [\d.]+:(\d+)/.exec(out);
          if (!m) return;
          acceptMs = -1;
          void tcpConnect(Number(m[1])).then((ok) => {
            if (!ok) return reject(new Error(`${v.name}: connect failed after the listening line`));
            acceptMs = performance.now() - started;
            check();
          });
          return;
        }
        if (acceptMs < 0) return;
        if (!v.services) {
          clearTimeout(timer);
          resolve({ acceptMs, servicesMs: undefined });
        } else if (servicesUp()) {
          clearTimeout(timer);
          resolve({ acceptMs, servicesMs: performance.now() - started });
        }
      };
      const onData = (c: Buffer): void => {
        out += c.toString();
        check();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${v.name}: exited (${code}) before starting: ${out}`)));
    });
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    const kill = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
    await exited;
    clearTimeout(kill);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const ms = (x: number | undefined): string => (x === undefined ? '-' : `${Math.round(x)}`);

/** As bin/samsa.js decides: dist/ runs when its build stamp is newer than every source file. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
const stamp = join(ROOT, 'dist/.build-stamp');
const code =
  existsSync(stamp) && statSync(stamp).mtimeMs >= newestMtime(join(ROOT, 'src'))
    ? 'compiled dist/'
    : 'TypeScript sources (no current dist/)';
console.log(`start time, ${RUNS} runs per variant, Node ${process.versions.node}, code: ${code}`);
console.log(
  '| command | services | first run: accept / services (ms) | median accept (ms) | slowest accept (ms) | median services ready (ms) |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const v of variants) {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once(v));
  const [first, ...rest] = runs;
  const accept = rest.map((r) => r.acceptMs);
  const services = rest.map((r) => r.servicesMs).filter((x) => x !== undefined);
  console.log(
    `| \`${v.name}\` | ${v.services ? 'default (registry, proxy, Connect, console)' : 'off'} | ${ms(first!.acceptMs)} / ${ms(first!.servicesMs)} | ${ms(median(accept))} | ${ms(Math.max(...accept))} | ${services.length ? ms(median(services)) : '-'} |`,
  );
}
