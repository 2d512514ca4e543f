/** Every broker setting is documented in the README's configuration table, with its env variable. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { SETTINGS } from '../../src/broker/config.ts';

it('documents every setting in the README', () => {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  for (const s of SETTINGS) {
    const env = `SAMSA_${s.flag.toUpperCase().replaceAll('-', '_')}`;
    assert.match(
      readme,
      new RegExp(`\\|\\s*\`--${s.flag}\`\\s*\\|\\s*\`${env}\`\\s*\\|`),
      `--${s.flag} documented`,
    );
  }
});
