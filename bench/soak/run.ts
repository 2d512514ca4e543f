/**
 * `npm run soak [-- NAME ...]`: the long runs that do not belong in `npm test` (million-record
 * crash tests, memory bounds under hostile clients, full-size connector runs). Each soak is a
 * program of its own, `bench/soak/<name>.soak.ts`, that starts what it needs, stops it by PID, prints
 * what it measured and exits non-zero when its check fails. With no names, every soak runs in turn.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const DIR = import.meta.dirname;
const SUFFIX = '.soak.ts';

const available = readdirSync(DIR)
  .filter((f) => f.endsWith(SUFFIX))
  .map((f) => f.slice(0, -SUFFIX.length))
  .sort();
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown soak ${unknown.join(', ')}; available: ${available.join(', ') || 'none'}`);
  process.exit(2);
}

function runOne(name: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(DIR, name + SUFFIX)], { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const failed: string[] = [];
for (const name of asked.length > 0 ? asked : available) {
  const started = performance.now();
  console.log(`\n=== soak ${name}`);
  const code = await runOne(name);
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`=== soak ${name}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${secs} s`);
  if (code !== 0) failed.push(name);
}
if (failed.length > 0) console.log(`\nfailed: ${failed.join(', ')}`);
process.exitCode = failed.length > 0 ? 1 : 0;
