/**
 * The emitter's Express test at full size: 100,000 events from an Express app under load arrive
 * once each and in order per key (test/emit/emitter.test.ts at SAMSA_SOAK_SCALE=10; npm test runs
 * 10,000).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const test = join(import.meta.dirname, '../../test/emit/emitter.test.ts');
const child = spawn(
  process.execPath,
  ['--test', '--test-timeout=600000', '--test-name-pattern=Express', test],
  { stdio: 'inherit', env: { ...process.env, SAMSA_SOAK_SCALE: '10' } },
);
child.on('exit', (code) => {
  process.exitCode = code ?? 1;
});
