/**
 * The C open-loop load generator (loadgen.c), built on first use with the machine's C compiler
 * (`cc`, or `$CC`) into node_modules/.cache/samsa-bench/, and run as a child process:
 * `cLoadAvailable()` says whether it can be built, `cHttpLoad()` runs it and returns the same
 * result as http-load.ts. The binary's name carries a hash of the source, so an edited loadgen.c
 * is rebuilt.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpLoadResult } from './http-load.ts';

const SOURCE = fileURLToPath(new URL('./loadgen.c', import.meta.url));
const CACHE = fileURLToPath(new URL('../../node_modules/.cache/samsa-bench/', import.meta.url));
let built: string | null | undefined;

/** The generator's path, built if needed; null when there is no working C compiler. */
export function cLoadBinary(): string | null {
  if (built !== undefined) return built;
  const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 12);
  const out = join(CACHE, `loadgen-${hash}`);
  if (!existsSync(out)) {
    mkdirSync(CACHE, { recursive: true });
    try {
      execFileSync(process.env.CC ?? 'cc', ['-O2', '-Wall', '-o', out, SOURCE, '-lm'], { stdio: 'pipe' });
    } catch (err) {
      process.stderr.write(`loadgen.c did not build (${(err as Error).message.split('\n')[0]})\n`);
      built = null;
      return built;
    }
  }
  built = out;
  return built;
}

export function cLoadAvailable(): boolean {
  return cLoadBinary() !== null;
}

export async function cHttpLoad(
  port: number,
  rate: number,
  warmupMs: number,
  durationMs: number,
  /** A command the generator runs under (e.g. `taskset -c 0 nice -n -10`). */
  prefix: string[] = [],
  connections = 64,
  users = 1000,
): Promise<HttpLoadResult> {
  const bin = cLoadBinary();
  if (bin === null) throw new Error('the C load generator cannot be built here (no C compiler)');
  const args = [bin, ...[port, rate, warmupMs, durationMs, connections, users].map(String)];
  const child = spawn(prefix[0] ?? bin, prefix.length > 0 ? [...prefix.slice(1), ...args] : args.slice(1));
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  if (code !== 0) throw new Error(`loadgen exited with ${code}: ${err.trim()}`);
  return JSON.parse(out) as HttpLoadResult;
}
