/**
 * `npm run soak`: runs every soak script in bench/soak/ (each a `*.ts` file besides this one) one
 * after the other, or only those named: `npm run soak -- streams-exactly-once`. A soak script runs
 * the full-size version of a failure or volume test and exits non-zero when its check fails.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const wanted = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, '')));
let failed = 0;
for (const script of scripts) {
  console.log(`\n== soak: ${script}`);
  const r = spawnSync(process.execPath, [join(here, script)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`== soak: ${script} FAILED (exit ${r.status ?? r.signal})`);
  }
}
console.log(`\n${scripts.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
