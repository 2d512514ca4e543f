/**
 * The delivery connectors at full size (SAMSA_SOAK=1): the HTTP sink's kill -9 run at 100,000
 * records through a failing endpoint, 100,000 Redis updates with deletes, and 1,000,000 records
 * archived, read back and replayed. npm test runs the same tests at 5,000-20,000 records.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const child = spawn(
  process.execPath,
  [
    '--test',
    '--test-concurrency=1',
    '--test-timeout=3600000',
    join(root, 'test/connectors/http-sink/failures.test.ts'),
    join(root, 'test/connectors/redis-sink/redis.test.ts'),
    join(root, 'test/connectors/archive/archive.test.ts'),
  ],
  { stdio: 'inherit', env: { ...process.env, SAMSA_SOAK: '1' } },
);
child.on('exit', (code) => {
  process.exitCode = code ?? 1;
});
