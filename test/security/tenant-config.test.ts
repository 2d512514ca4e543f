/**
 * Tenant prefixes that overlap (one starts another) are refused by `samsa start` before it opens
 * anything: exit code 1 and an error naming both tenants. No broker runs in this file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tenantMap } from '../../src/broker/auth/tenants.ts';
import { samsa } from '../cli/run-cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'samsa-tenants-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function start(...tenants: string[]) {
  const args = [
    'start',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--no-connect',
    '--no-console',
    '--no-registry',
    '--no-proxy',
  ];
  for (const t of tenants) args.push('--tenant', t);
  return samsa(args, { timeoutMs: 20_000 });
}

describe('overlapping tenant prefixes', () => {
  it('samsa start refuses --tenant t1:app --tenant t2:app.b, naming both tenants', async () => {
    const r = await start('t1:app', 't2:app.b');
    assert.equal(r.code, 1, `exit code (stdout: ${r.stdout})`);
    assert.match(
      r.stderr,
      /samsa start: tenant: the prefixes of User:t1 \("app"\) and User:t2 \("app\.b"\) overlap/,
    );
    assert.doesNotMatch(r.stdout, /listening/);
    assert.deepEqual(readdirSync(dataDir), [], 'nothing was written to the data directory');
  });

  it('the order of the flags does not matter, nor does an identical prefix', () => {
    assert.throws(
      () => tenantMap(['t2:app.b', 't1:app']),
      /User:t2 \("app\.b"\) and User:t1 \("app"\) overlap/,
    );
    assert.throws(() => tenantMap(['t1:app.', 'User:t2:app.']), /User:t1 .* and User:t2 .* overlap/);
    assert.throws(() => tenantMap(['t1:a.', 't1:b.']), /User:t1 is given twice/);
  });

  it('prefixes where neither starts the other are accepted', () => {
    assert.deepEqual(
      [...tenantMap(['t1:app.a.', 't2:app.b.', 'User:t3:ops', 't4:app.ab'])],
      [
        ['User:t1', 'app.a.'],
        ['User:t2', 'app.b.'],
        ['User:t3', 'ops'],
        ['User:t4', 'app.ab'],
      ],
    );
  });
});
