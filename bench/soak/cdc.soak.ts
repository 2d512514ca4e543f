/**
 * Postgres CDC end to end at full size: a 10,000-row snapshot and 10,000 statements through the
 * broker into the sink, tables compared (test/connectors/postgres-e2e.test.ts with
 * SAMSA_CDC_ROWS/SAMSA_CDC_STATEMENTS; npm test runs 2,000 and 2,000).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const test = join(import.meta.dirname, '../../test/connectors/postgres-e2e.test.ts');
const child = spawn(
  process.execPath,
  ['--test', '--test-timeout=1800000', '--test-name-pattern=replicate the table', test],
  { stdio: 'inherit', env: { ...process.env, SAMSA_CDC_ROWS: '10000', SAMSA_CDC_STATEMENTS: '10000' } },
);
child.on('exit', (code) => {
  process.exitCode = code ?? 1;
});
