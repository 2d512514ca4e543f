/**
 * The `samsa` bin on a Node.js older than it supports says which version it needs and what to run,
 * instead of failing deep inside a module ("The "original" argument must be of type function").
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const BIN = join(import.meta.dirname, '../../bin/samsa.js');

test('an old Node.js gets a clear message and exit code 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-old-node-'));
  try {
    // Pretend to be Node 20: the check reads process.versions.node before loading anything else.
    const preload = join(dir, 'old-node.cjs');
    writeFileSync(preload, 'Object.defineProperty(process.versions, "node", { value: "20.1.0" });\n');
    const result = spawnSync(process.execPath, ['--require', preload, BIN, 'start', '--port', '0'], {
      encoding: 'utf8',
      cwd: dir,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^samsa needs Node\.js 22\.18 or newer; this is Node\.js 20\.1\.0 /);
    assert.match(result.stderr, /run it as "npx samsa \.\.\." or "npm start"/);
    assert.doesNotMatch(result.stderr, /original/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
