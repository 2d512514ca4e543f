/** The error catalogue: codes unique, names match the constant table, each documented. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { ERRORS, ErrorCode, errorName } from '../../src/protocol/errors.ts';

it('has unique codes and names that match the constants', () => {
  assert.equal(new Set(ERRORS.map((e) => e.code)).size, ERRORS.length);
  for (const e of ERRORS) assert.equal(ErrorCode[e.name as keyof typeof ErrorCode], e.code);
  assert.equal(errorName(35), 'UNSUPPORTED_VERSION');
  assert.equal(errorName(9999), 'UNKNOWN_ERROR_9999');
});

it('documents every code in docs/errors.md', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../docs/errors.md'), 'utf8');
  for (const e of ERRORS) {
    const row = new RegExp(`^\\|\\s*${e.code}\\s*\\|\\s*\`${e.name}\`\\s*\\|`, 'm');
    assert.match(doc, row, `${e.name} documented`);
  }
});
